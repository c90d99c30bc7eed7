"""Email verification as it is on main (issue "Trust", deliverable 1) and its portal pages (L1):
register emails one link carrying `token=`; verify -> 200 and /me says verified; a token works
once and for 48 hours; resend is limited; the portal moves the link's token into the session."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from gateway import email_verification
from gateway.extensions import db
from gateway.notifications import Notification

PASSWORD = "Plenty-long-passphrase-1"
HTML = {"Accept": "text/html"}


def register(client, email="vera@example.org"):
    r = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Vera"})
    assert r.status_code == 201
    return r.get_json()


def login(client, email="vera@example.org"):
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    return {"Authorization": "Bearer " + r.get_json()["access_token"]}


def emails(kind="email_verification"):
    db.session.expire_all()
    q = sa.select(Notification).where(Notification.kind == kind)
    return db.session.scalars(q.order_by(Notification.id)).all()


def token_of(row) -> str:
    link = re.search(r"(\S+/verify-email\?token=\S+)", row.text_body).group(1)
    return parse_qs(urlsplit(link).query)["token"][0]


def csrf_of(resp) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', resp.get_data(as_text=True))
    assert m, "page has no CSRF field"
    return m.group(1)


def me(client, headers):
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 200
    return r.get_json()


def test_sign_up_sends_one_verification_email_whose_link_carries_the_token(client):
    register(client)
    rows = emails()
    assert len(rows) == 1
    assert "/verify-email?token=" in rows[0].text_body
    assert len(token_of(rows[0])) >= 32


def test_verifying_marks_the_account_verified(client):
    register(client)
    headers = login(client)
    assert me(client, headers)["email_verified"] is False
    r = client.post("/api/v1/auth/verify-email", json={"token": token_of(emails()[0])})
    assert r.status_code == 200 and r.get_json()["email_verified"] is True
    assert me(client, headers)["email_verified"] is True  # the same token, as of the next request


def test_a_token_works_once(client):
    register(client)
    token = token_of(emails()[0])
    assert client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 200
    again = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 400 and "token" in again.get_json()["errors"]


def test_a_token_expires_after_48_hours(client):
    register(client)
    token = token_of(emails()[0])
    row = db.session.scalars(sa.select(email_verification.EmailVerificationToken)).one()
    assert row.expires_at - row.created_at == timedelta(hours=48)
    row.expires_at = email_verification.utcnow() - timedelta(seconds=1)
    db.session.commit()
    r = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert r.status_code == 400 and "token" in r.get_json()["errors"]


def test_an_unknown_token_is_400_naming_token(client):
    r = client.post("/api/v1/auth/verify-email", json={"token": "not-a-real-token"})
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"
    assert "token" in r.get_json()["errors"]


def test_resend_is_rate_limited_with_retry_after(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_VERIFY_RESEND", "2/hour")
    register(client)
    headers = login(client)
    for _ in range(2):
        assert client.post("/api/v1/auth/verify-email/resend", headers=headers).status_code == 202
    r = client.post("/api/v1/auth/verify-email/resend", headers=headers)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.headers["Content-Type"] == "application/problem+json"
    assert len(emails()) == 3  # sign-up plus two resends, none for the refused one


def test_resend_for_a_verified_user_says_so_and_sends_nothing(client):
    register(client)
    headers = login(client)
    client.post("/api/v1/auth/verify-email", json={"token": token_of(emails()[0])})
    r = client.post("/api/v1/auth/verify-email/resend", headers=headers)
    assert r.status_code == 202 and r.get_json()["email_verified"] is True
    assert "already" in r.get_json()["detail"]
    assert len(emails()) == 1


def test_resend_needs_sign_in(client):
    assert client.post("/api/v1/auth/verify-email/resend").status_code == 401


# -- the portal: /verify-email (L1) -------------------------------------------------------------


def portal_sign_up(client, email="vera@example.org"):
    token = csrf_of(client.get("/sign-up"))
    r = client.post(
        "/sign-up",
        data={
            "csrf_token": token,
            "name": "Vera",
            "email": email,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert r.status_code == 302


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
def test_the_emailed_link_moves_the_token_into_the_session_then_a_button_confirms(app, client, signed_in):
    if signed_in:
        portal_sign_up(client)
    else:
        register(client)
    token = token_of(emails()[0])
    landing = client.get(f"/verify-email?token={token}", headers=HTML)
    assert landing.status_code == 302 and landing.headers["Location"] == "/verify-email"
    assert landing.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/verify-email", headers=HTML)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert token not in html and "Confirm my email" in html
    # a GET never confirms (mail scanners follow links)
    assert db.session.scalar(sa.text("SELECT email_verified FROM users")) in (False, 0)
    done = client.post("/verify-email", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 302
    assert done.headers["Location"] == ("/account" if signed_in else "/sign-in")
    assert "your email address is confirmed" in client.get(done.headers["Location"], headers=HTML).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.scalar(sa.text("SELECT email_verified FROM users")) in (True, 1)


def test_a_used_link_says_so_on_the_page(client):
    register(client)
    token = token_of(emails()[0])
    client.post("/api/v1/auth/verify-email", json={"token": token})
    client.get(f"/verify-email?token={token}")
    page = client.get("/verify-email")
    r = client.post("/verify-email", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 400 and "not valid any more" in r.get_data(as_text=True)


def test_the_confirm_form_needs_the_csrf_token(client):
    register(client)
    client.get(f"/verify-email?token={token_of(emails()[0])}")
    assert client.post("/verify-email", data={}).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(sa.text("SELECT email_verified FROM users")) in (False, 0)


def test_account_page_and_banner_show_the_state_and_resend_shows_the_429(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_VERIFY_RESEND", "1/hour")
    portal_sign_up(client)
    account = client.get("/account", headers=HTML)
    html = account.get_data(as_text=True)
    assert "Not confirmed yet" in html and "Send the link again" in html
    assert "verify-banner" in client.get("/", headers=HTML).get_data(as_text=True)
    csrf = csrf_of(account)
    sent = client.post("/account/verify-email/resend", data={"csrf_token": csrf})
    assert sent.status_code == 302 and sent.headers["Location"] == "/account"
    assert "emailed you a new link" in client.get("/account", headers=HTML).get_data(as_text=True)
    assert len(emails()) == 2
    refused = client.post("/account/verify-email/resend", data={"csrf_token": csrf})
    assert refused.status_code == 302
    html = client.get("/account", headers=HTML).get_data(as_text=True)
    assert "No new link was sent" in html and "Too many" in html
    assert len(emails()) == 2
    # once confirmed, the banner goes and the account page says so
    client.get(f"/verify-email?token={token_of(emails()[-1])}")
    client.post("/verify-email", data={"csrf_token": csrf})
    html = client.get("/account", headers=HTML).get_data(as_text=True)
    assert "Confirmed" in html and "verify-banner" not in html
