"""Hop tokens (deliverable 1): services accept only the gateway's short-lived hop tokens, minted
per request with roles read fresh from the gateway's database. A client token sent straight to
a service is refused; a removed role is gone on the next forwarded request; after sign-out or
a password change the old client token is refused by the gateway and yields no hop token.

The real training app answers on a loopback port in this process, with the gateway's public key."""

from __future__ import annotations

import threading

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from gateway import tokens
from gateway.extensions import db
from gateway.models import User
from imatter_shared.web.errors import Unauthorized

PASSWORD = "Plenty-long-passphrase-1"


@pytest.fixture(scope="module")
def training(_app, tmp_path_factory):
    from training import create_app
    from training.extensions import db as tdb

    tmp = tmp_path_factory.mktemp("hop-training")
    with open(_app.config["JWT_PUBLIC_KEY_FILE"]) as fh:
        public = fh.read()
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/training.db",
            "JWT_PUBLIC_KEY": public,
            "EVENTS_EMBEDDED_PATH": str(tmp / "events.db"),
            "ACCESS_LOG": False,
        }
    )
    with app.app_context():
        tdb.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with app.app_context():
            tdb.engine.dispose()


@pytest.fixture
def gateway(app, client, training, monkeypatch):
    monkeypatch.setitem(app.config, "TRAINING_URL", training)
    return client


def sign_up(client, email="hop@example.org", roles=None):
    assert (
        client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Hop"}
        ).status_code
        == 201
    )
    if roles:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user.roles = roles
        db.session.commit()
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return r.get_json()["access_token"]


def bearer(token):
    return {"Authorization": "Bearer " + token}


def test_a_client_token_sent_straight_to_a_service_is_refused(gateway, training):
    token = sign_up(gateway, roles=["learner", "training_admin"])
    direct = requests.get(training + "/api/v1/interest", headers=bearer(token), timeout=10)
    assert direct.status_code == 401  # audience imatter, not imatter-services
    assert direct.headers["Content-Type"] == "application/problem+json"
    # the same token through the gateway works: it is exchanged for a hop token
    assert gateway.get("/api/v1/interest", headers=bearer(token)).status_code == 200


def test_a_removed_role_is_gone_on_the_next_forwarded_request(gateway):
    token = sign_up(gateway, roles=["learner", "training_admin"])
    assert gateway.get("/api/v1/interest", headers=bearer(token)).status_code == 200
    user = db.session.scalar(sa.select(User).where(User.email == "hop@example.org"))
    user.roles = ["learner"]
    db.session.commit()
    r = gateway.get("/api/v1/interest", headers=bearer(token))
    assert r.status_code == 403  # same client token, the hop token no longer carries the role
    assert "training_admin" not in gateway.get("/api/v1/me", headers=bearer(token)).get_json()["roles"]


def test_the_hop_token_carries_the_roles_read_now(app, gateway):
    import jwt

    token = sign_up(gateway, roles=["learner", "training_admin"])
    with app.test_request_context():
        hop = tokens.hop_authorization(token).removeprefix("Bearer ")
    assert "training_admin" in jwt.decode(hop, options={"verify_signature": False})["roles"]
    user = db.session.scalar(sa.select(User).where(User.email == "hop@example.org"))
    user.roles = ["learner"]
    db.session.commit()
    with app.test_request_context():
        hop = tokens.hop_authorization(token).removeprefix("Bearer ")
    claims = jwt.decode(hop, options={"verify_signature": False})
    assert claims["roles"] == ["learner"] and claims["aud"] == "imatter-services"


@pytest.mark.parametrize("how", ["logout", "password-change"])
def test_after_logout_or_password_change_the_old_token_is_refused_and_gets_no_hop_token(app, gateway, how):
    token = sign_up(gateway, roles=["learner", "training_admin"])
    assert gateway.get("/api/v1/interest", headers=bearer(token)).status_code == 200
    if how == "logout":
        assert gateway.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    else:
        assert (
            gateway.post(
                "/api/v1/auth/password",
                headers=bearer(token),
                json={"current_password": PASSWORD, "new_password": "Another-long-phrase-9"},
            ).status_code
            == 204
        )
    assert gateway.get("/api/v1/interest", headers=bearer(token)).status_code == 401
    assert gateway.get("/api/v1/me", headers=bearer(token)).status_code == 401
    with app.test_request_context():
        with pytest.raises(Unauthorized):
            tokens.hop_authorization(token)
