"""Password reset by email through a real SMTP server (aiosmtpd on 127.0.0.1), on SQLite and
PostgreSQL: 202 whoever asks (no account enumeration); a single-use, 30-minute token stored
only hashed; confirming sets the password, ends every earlier token and sends a notice."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.extensions import db
from gateway.notifications import Notification
from gateway.password_reset import PasswordResetToken, utcnow
from imatter_shared.notifications import wiring_of
from imatter_shared.notifications.sender import make_sender
from support.smtp import SmtpCatcher

EMAIL, PASSWORD, NEW = "reset.fictional@example.org", "correct horse 42 battery", "a brand new pass phrase 7"


@pytest.fixture
def smtp(app):
    catcher = SmtpCatcher().start()
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=catcher.port, SMTP_TLS="none", PORTAL_URL="https://portal.example"
    )
    yield catcher
    catcher.stop()


@pytest.fixture
def account(app, client):
    assert (
        client.post(
            "/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD, "name": "Reset Fictional"}
        ).status_code
        == 201
    )
    with app.app_context():  # sign-up's verification email is not what these tests count
        db.session.execute(sa.delete(Notification).where(Notification.kind == "email_verification"))
        db.session.commit()


def _send(app):
    return make_sender(app, wiring_of(app)).run_once()


def _token_from(msg):
    return re.search(r"token=([A-Za-z0-9_\-]+)", msg.get_body(("plain",)).get_content()).group(1)


def _login(client, password):
    return client.post("/api/v1/auth/login", json={"email": EMAIL, "password": password})


def test_unknown_and_known_addresses_get_the_same_answer(app, client, account, smtp):
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"})
    known = client.post("/api/v1/auth/password-reset", json={"email": EMAIL.upper()})
    assert unknown.status_code == known.status_code == 202
    assert unknown.get_json() == known.get_json()
    assert client.post("/api/v1/auth/password-reset", json={}).status_code == 400
    assert _send(app).sent == 1
    assert [m["To"] for m in smtp.messages] == [EMAIL]


def test_reset_story_single_use_token_stored_hashed(app, client, account, smtp):
    old = _login(client, PASSWORD).get_json()["access_token"]
    assert client.post("/api/v1/auth/password-reset", json={"email": EMAIL}).status_code == 202
    assert _send(app).sent == 1 and _send(app).handled == 0  # sent once
    (msg,) = smtp.messages
    assert msg["Subject"] == "Reset your I Matter password" and msg.get_body(("html",)) is not None
    token = _token_from(msg)
    assert "https://portal.example/reset-password?token=" in msg.get_body(("plain",)).get_content()
    # only a hash is stored, and the delivered email's body no longer holds the link
    db.session.expire_all()
    assert token not in {r.token_hash for r in db.session.scalars(sa.select(PasswordResetToken))}
    assert all(token not in r.text_body + r.html_body for r in db.session.scalars(sa.select(Notification)))

    weak = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "short"})
    assert weak.status_code == 400 and "new_password" in weak.get_json()["errors"]  # the token survives that
    assert (
        client.post(
            "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW}
        ).status_code
        == 204
    )
    again = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW + "x"}
    )
    assert again.status_code == 400 and "token" in again.get_json()["errors"]
    assert _login(client, PASSWORD).status_code == 401
    assert _login(client, NEW).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert _send(app).sent == 1  # "your password was changed", essential
    assert smtp.messages[-1]["Subject"] == "Your I Matter password was changed"


def test_an_expired_or_made_up_token_is_refused(app, client, account, smtp):
    client.post("/api/v1/auth/password-reset", json={"email": EMAIL})
    _send(app)
    token = _token_from(smtp.messages[0])
    row = db.session.scalars(sa.select(PasswordResetToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)  # 30 minutes later
    db.session.commit()
    for t in (token, "made-up-token"):
        r = client.post("/api/v1/auth/password-reset/confirm", json={"token": t, "new_password": NEW})
        assert r.status_code == 400
    assert _login(client, PASSWORD).status_code == 200


def test_a_new_password_ends_every_other_outstanding_link_and_asking_often_sends_at_most_three(
    app, client, account, smtp
):
    for _ in range(5):
        assert client.post("/api/v1/auth/password-reset", json={"email": EMAIL}).status_code == 202
    assert _send(app).sent == 3
    tokens = [_token_from(m) for m in smtp.messages]
    assert len(set(tokens)) == 3
    assert (
        client.post(
            "/api/v1/auth/password-reset/confirm", json={"token": tokens[1], "new_password": NEW}
        ).status_code
        == 204
    )
    r = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": tokens[2], "new_password": NEW + "y"}
    )
    assert r.status_code == 400
