"""Forwarding through the gateway's keep-alive pool (urllib3) behaves as the `requests` session
it replaced did: encoded paths and queries reach the service intact, response headers come back
filtered (repeated ones kept), a dropped answer is a 502, and the token check (one query) still
refuses signed-out tokens and tokens of deleted users at once, on every worker."""

import socket
import threading

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

PASSWORD = "Correct-horse-battery-9"


@pytest.fixture
def upstream():
    seen = []
    svc = Flask("fake-upstream-pool")

    @svc.route("/api/v1/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def echo(rest):
        seen.append(
            {
                "method": request.method,
                "path": request.path,
                "args": request.args.to_dict(flat=False),
                "headers": dict(request.headers),
                "body": request.get_data(),
            }
        )
        resp = jsonify(ok=True)
        resp.headers["X-Upstream"] = "yes"
        resp.headers["X-Request-ID"] = "upstream-made-this-up"  # the gateway's own id wins
        resp.headers.add("Set-Cookie", "a=1; Path=/")
        resp.headers.add("Set-Cookie", "b=2; Path=/")
        return resp, 200

    server = make_server("127.0.0.1", 0, svc, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def signed_in(client):
    r = client.post(
        "/api/v1/auth/register", json={"email": "pool@example.org", "password": PASSWORD, "name": "Pool"}
    )
    assert r.status_code == 201
    r = client.post("/api/v1/auth/login", json={"email": "pool@example.org", "password": PASSWORD})
    assert r.status_code == 200
    return r.get_json()["access_token"]


def test_encoded_path_and_query_reach_the_service_intact(app, client, upstream):
    url, seen = upstream
    app.config["TRAINING_URL"] = url
    r = client.get("/api/v1/directory/caf%C3%A9%20au%20lait?q=a%20b&x=%25&x=%26")
    assert r.status_code == 200
    assert seen[0]["path"] == "/api/v1/directory/café au lait"
    assert seen[0]["args"] == {"q": ["a b"], "x": ["%", "&"]}


def test_every_method_and_body_is_forwarded_once(app, client, upstream):
    url, seen = upstream
    app.config["TRAINING_URL"] = url
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        r = client.open(
            "/api/v1/organisations/o1", method=method, data=b'{"n": 1}', content_type="application/json"
        )
        assert r.status_code == 200, method
    assert [s["method"] for s in seen] == ["POST", "PUT", "PATCH", "DELETE"]
    assert all(s["body"] == b'{"n": 1}' and s["headers"]["Content-Type"] == "application/json" for s in seen)


def test_response_headers_are_filtered_and_repeated_ones_kept(app, client, upstream):
    url, seen = upstream
    app.config["TRAINING_URL"] = url
    r = client.get(
        "/api/v1/catalogue/courses", headers={"X-Request-ID": "req-abcdefgh", "Connection": "close"}
    )
    assert r.status_code == 200 and r.json == {"ok": True}
    assert r.headers["X-Upstream"] == "yes"
    assert r.headers["X-Request-ID"] == "req-abcdefgh"
    assert r.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert r.headers["Content-Type"] == "application/json"
    # hop-by-hop headers of the caller never reach the service; one request id, the gateway's
    assert "Connection" not in seen[0]["headers"] or seen[0]["headers"]["Connection"] != "close"
    assert seen[0]["headers"]["X-Request-Id"] == "req-abcdefgh"


def test_a_service_that_drops_the_connection_gives_502(app, client):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def drop():
        for _ in range(2):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.close()  # read the request, answer nothing

    threading.Thread(target=drop, daemon=True).start()
    app.config["TRAINING_URL"] = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        r = client.get("/api/v1/catalogue/courses")
    finally:
        listener.close()
    assert r.status_code == 502
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json["service"] == "training"


def test_signed_out_token_is_refused_by_another_worker_at_once(app, client, upstream):
    """Two app instances on one database stand for two gunicorn workers: a logout on one is
    seen by the other on its very next request (nothing cached in the process)."""
    from gateway import create_app

    url, seen = upstream
    app.config["TRAINING_URL"] = url
    token = signed_in(client)
    other = create_app(
        {
            k: app.config[k]
            for k in (
                "TESTING",
                "SQLALCHEMY_DATABASE_URI",
                "JWT_PRIVATE_KEY_FILE",
                "JWT_PUBLIC_KEY_FILE",
                "ACCESS_LOG",
            )
        }
        | {"TRAINING_URL": url}
    )
    other_client = other.test_client()
    assert other_client.get("/api/v1/catalogue/courses", headers=bearer(token)).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    n = len(seen)
    assert other_client.get("/api/v1/catalogue/courses", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/catalogue/courses", headers=bearer(token)).status_code == 401
    assert len(seen) == n  # refused before any service saw it
    from gateway.extensions import db

    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_token_of_a_deleted_user_is_refused(app, client, upstream):
    from gateway.extensions import db
    from gateway.models import User

    url, seen = upstream
    app.config["TRAINING_URL"] = url
    token = signed_in(client)
    assert client.get("/api/v1/catalogue/courses", headers=bearer(token)).status_code == 200
    db.session.query(User).delete()
    db.session.commit()
    r = client.get("/api/v1/catalogue/courses", headers=bearer(token))
    assert r.status_code == 401 and len(seen) == 1


@pytest.fixture
def keepalive_upstream():
    """An HTTP/1.1 keep-alive service that counts the connections it accepts."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    accepted = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            accepted.append(self.client_address)
            super().setup()

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"ok": true}'
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", accepted
    server.shutdown()
    server.server_close()


def test_a_connection_idle_longer_than_the_limit_is_not_reused(app, client, keepalive_upstream, monkeypatch):
    """The services' gunicorn closes a keep-alive connection after 2 s idle; a POST sent on it as it
    closes would get no answer (a 502, never retried). The gateway's pool reuses a connection only
    while it has been idle less than UPSTREAM_IDLE_REUSE_SECONDS (1 s by default)."""
    import time

    from gateway import upstream

    url, accepted = keepalive_upstream
    assert app.config["UPSTREAM_IDLE_REUSE_SECONDS"] == 1.0  # the default: inside gunicorn's 2 s
    monkeypatch.setattr(upstream, "_pool", None)  # made again with this app's setting
    app.config["TRAINING_URL"] = url
    app.config["UPSTREAM_IDLE_REUSE_SECONDS"] = 0.3
    for _ in range(3):  # back to back: one keep-alive connection
        assert client.post("/api/v1/organisations", json={"n": 1}).status_code == 201
    assert len(accepted) == 1
    time.sleep(0.5)  # idle past the limit: closed, and the next POST goes on a new connection
    assert client.post("/api/v1/organisations", json={"n": 2}).status_code == 201
    assert len(accepted) == 2
    assert client.post("/api/v1/organisations", json={"n": 3}).status_code == 201
    assert len(accepted) == 2  # and that one is reused while fresh
    monkeypatch.setattr(upstream, "_pool", None)  # the next test's pool takes its own setting
