"""Forwarding to the owning service: a real upstream HTTP server on 127.0.0.1 stands in for a service."""

import threading

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

import gateway.upstream
from gateway.upstream import ROUTES


@pytest.fixture
def upstream():
    """A tiny real HTTP service recording what reaches it."""
    seen = []
    svc = Flask("fake-upstream")

    @svc.route("/api/v1/<path:rest>", methods=["GET", "POST"])
    def echo(rest):
        seen.append({"path": request.full_path, "headers": dict(request.headers), "body": request.get_data()})
        return jsonify(ok=True, path=rest), 201 if request.method == "POST" else 200

    @svc.get("/openapi.json")
    def spec():
        return jsonify(
            openapi="3.0.3",
            info={"title": "x", "version": "1"},
            paths={
                "/api/v1/tracker/microprojects": {"get": {"responses": {"200": {"description": "ok"}}}},
                "/api/v1/organisations": {"get": {"responses": {"200": {"description": "wrong owner"}}}},
            },
            components={"schemas": {"Microproject": {"type": "object"}}},
        )

    server = make_server("127.0.0.1", 0, svc, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def test_routing_table_covers_the_contract():
    training = {
        "catalogue",
        "organisations",
        "people",
        "enrolments",
        "pathway-items",
        "practitioner-licences",
        "directory",
        "interest",
    }
    cic = {"tracker", "consultations", "fund", "evaluation"}
    assert all(ROUTES[s] == "TRAINING_URL" for s in training)
    assert all(ROUTES[s] == "CIC_URL" for s in cic)


def test_forwards_method_path_query_body_and_request_id(app, client, upstream):
    url, seen = upstream
    app.config["CIC_URL"] = url
    r = client.post(
        "/api/v1/consultations?x=1", json={"purpose": "p"}, headers={"X-Request-ID": "req-12345678"}
    )
    assert r.status_code == 201 and r.json["ok"] is True
    assert seen[0]["path"] == "/api/v1/consultations?x=1"
    assert seen[0]["headers"]["X-Request-Id"] == "req-12345678"
    assert b'"purpose"' in seen[0]["body"]
    assert r.headers["X-Request-ID"] == "req-12345678"


def test_gateway_creates_a_request_id_when_none_is_sent(app, client, upstream):
    url, seen = upstream
    app.config["TRAINING_URL"] = url
    r = client.get("/api/v1/catalogue/courses")
    assert r.status_code == 200
    rid = seen[0]["headers"]["X-Request-Id"]
    assert len(rid) >= 16 and r.headers["X-Request-ID"] == rid


def test_stopped_service_gives_502_problem_and_gateway_stays_up(client):
    r = client.get("/api/v1/tracker/microprojects")
    assert r.status_code == 502
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json["service"] == "cic"
    assert client.get("/healthz").status_code == 200


def test_slow_service_gives_504(app, client):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts connections, never answers
    app.config["TRAINING_URL"] = f"http://127.0.0.1:{listener.getsockname()[1]}"
    app.config["UPSTREAM_READ_TIMEOUT"] = 0.3
    try:
        r = client.get("/api/v1/catalogue/courses")
    finally:
        listener.close()
        app.config["UPSTREAM_READ_TIMEOUT"] = 30.0
    assert r.status_code == 504
    assert r.headers["Content-Type"] == "application/problem+json"


def test_unknown_api_segment_is_404_problem(client):
    r = client.get("/api/v1/no-such-thing/1")
    assert r.status_code == 404 and r.headers["Content-Type"] == "application/problem+json"


def test_body_over_the_limit_is_413(app, client):
    r = client.post(
        "/api/v1/interest",
        data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="application/json",
    )
    assert r.status_code == 413
    assert r.headers["Content-Type"] == "application/problem+json"


def test_merged_openapi_takes_each_path_from_its_owner(app, client, upstream):
    url, _ = upstream
    app.config["CIC_URL"] = url
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/auth/login" in doc["paths"]
    assert "/api/v1/tracker/microprojects" in doc["paths"]
    assert "/api/v1/organisations" not in doc["paths"]  # cic may not publish training's paths
    assert "Microproject" in doc["components"]["schemas"]
    assert doc["x-services-missing"] == ["training"]


def test_merged_openapi_is_cached_until_stale_and_never_while_a_service_is_missing(
    app, client, upstream, monkeypatch
):
    url, _ = upstream
    fetched = []
    real_get = gateway.upstream.get

    def counting_get(u, headers=None):
        fetched.append(u)
        return real_get(u, headers)

    monkeypatch.setattr(gateway.upstream, "get", counting_get)
    monkeypatch.setitem(app.extensions, "imatter_openapi_cache", {})  # this test's own cache
    for key, value in {"CIC_URL": url, "TRAINING_URL": url, "OPENAPI_CACHE_SECONDS": 300}.items():
        monkeypatch.setitem(app.config, key, value)  # both answer: cached
    first = client.get("/api/v1/openapi.json").json
    assert first["x-services-missing"] == [] and len(fetched) == 2
    assert client.get("/api/v1/openapi.json").json == first and len(fetched) == 2
    app.config["OPENAPI_CACHE_SECONDS"] = 0  # stale at once: built again
    client.get("/api/v1/openapi.json")
    assert len(fetched) == 4
    app.config.update(OPENAPI_CACHE_SECONDS=300, TRAINING_URL="http://127.0.0.1:9")  # one is down
    assert client.get("/api/v1/openapi.json").json["x-services-missing"] == ["training"]
    assert client.get("/api/v1/openapi.json").json["x-services-missing"] == ["training"]
    assert len(fetched) == 8  # a document with a service missing is not kept
