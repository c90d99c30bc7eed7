"""Portal flashes never carry a case code (security review L5): the session cookie is signed, not
encrypted, so what a flash says can be read from it. A stub cic-tracker on a loopback port
answers the two calls the portal makes when a case is created."""

from __future__ import annotations

import json
import re
import threading

import pytest
from werkzeug.serving import make_server

PASSWORD = "Plenty-long-passphrase-1"
CODE = "CANARYCODE42"


def _stub(environ, start_response):
    path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
    status, body = "200 OK", {}
    if path == "/api/v1/tracker/microprojects/mp1" and method == "GET":
        body = {"id": "mp1", "credits_left": 3, "cases": []}
    elif path == "/api/v1/tracker/microprojects/mp1/cases" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        sent = json.loads(environ["wsgi.input"].read(length) or b"{}")
        status, body = "201 Created", {"id": "case1", "code": sent.get("code")}
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


@pytest.fixture(scope="module")
def stub():
    server = make_server("127.0.0.1", 0, _stub, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def csrf_of(resp) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', resp.get_data(as_text=True)).group(1)


def test_creating_a_case_flashes_no_case_code(app, client, stub, monkeypatch):
    monkeypatch.setitem(app.config, "CIC_URL", stub)
    monkeypatch.setitem(app.config, "TRAINING_URL", stub)
    token = csrf_of(client.get("/sign-up"))
    assert (
        client.post(
            "/sign-up",
            data={
                "csrf_token": token,
                "name": "Pat",
                "email": "pat@example.org",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
        ).status_code
        == 302
    )
    page = client.get("/tracker/microprojects/mp1")
    assert page.status_code == 200
    r = client.post(
        "/tracker/microprojects/mp1",
        data={
            "csrf_token": csrf_of(page),
            "code": CODE,
            "given_by": "Parent",
            "scope": "Tracker use",
            "given_at": "2026-11-01",
            "consent": "on",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/tracker/cases/case1")
    cookie = client.get_cookie("__Host-imatter")
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert "Case created" in json.dumps(session)
    assert CODE not in json.dumps(session)
