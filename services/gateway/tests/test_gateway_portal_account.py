"""Portal account pages through the Flask test client (SQLite and PostgreSQL): password reset
over the gateway's own reset API (same neutral answer for any address, the emailed link opens
the portal's reset page, errors next to their field, CSRF), and the email-preferences page
staying friendly while the services that keep the preferences are down."""

import re
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from gateway.extensions import db
from gateway.notifications import Notification

PASSWORD = "Plenty-long-passphrase-1"
NEW = "A-fresh-pass-phrase-42"
HTML = {"Accept": "text/html"}


def csrf_of(resp) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', resp.get_data(as_text=True))
    assert m, "page has no CSRF field"
    return m.group(1)


def register(client, email="reset.portal@example.org"):
    r = client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Reset Portal"}
    )
    assert r.status_code == 201


def ask_reset(client, email):
    token = csrf_of(client.get("/forgotten-password"))
    return client.post("/forgotten-password", data={"csrf_token": token, "email": email})


def reset_links() -> list[str]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification).where(Notification.kind == "password_reset")).all()
    return [re.search(r"(\S+/reset-password\?token=\S+)", r.text_body).group(1) for r in rows]


def test_sign_in_links_to_the_forgotten_password_page(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/forgotten-password"' in html
    page = client.get("/forgotten-password")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1") == 1 and 'for="email"' in html and 'autocomplete="username"' in html


def test_known_and_unknown_addresses_get_the_same_neutral_answer(client):
    register(client)
    known = ask_reset(client, "Reset.Portal@example.org")
    unknown = ask_reset(client, "nobody-here@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/forgotten-password?sent=1"
    page = client.get(known.headers["Location"]).get_data(as_text=True)
    assert "If an account uses that address" in page and "nobody-here" not in page
    assert len(reset_links()) == 1  # only the real account was emailed


def test_an_email_that_is_not_an_address_is_refused_next_to_the_field(client):
    r = ask_reset(client, "not-an-address")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="email-error"' in html and 'aria-invalid="true"' in html
    assert reset_links() == []


def test_the_emailed_link_opens_the_portal_reset_page_and_changes_the_password(client):
    register(client)
    ask_reset(client, "reset.portal@example.org")
    (link,) = reset_links()
    parts = urlsplit(link)
    assert parts.path == "/reset-password"  # the page below, whatever PORTAL_URL's host is
    token = parse_qs(parts.query)["token"][0]

    landing = client.get(f"{parts.path}?{parts.query}", headers=HTML)
    # the token moves into the session and the browser to the bare path (no token in access logs, L1)
    assert landing.status_code == 302 and landing.headers["Location"] == "/reset-password"
    assert landing.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/reset-password", headers=HTML)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the token never leaves in a Referer
    html = page.get_data(as_text=True)
    assert token not in html and 'id="token"' not in html
    csrf = csrf_of(page)

    mismatch = client.post(
        "/reset-password", data={"csrf_token": csrf, "new_password": NEW, "password_confirm": NEW + "x"}
    )
    assert mismatch.status_code == 400 and 'id="password_confirm-error"' in mismatch.get_data(as_text=True)
    weak = client.post(
        "/reset-password",
        data={"csrf_token": csrf, "new_password": "password", "password_confirm": "password"},
    )
    html = weak.get_data(as_text=True)
    assert weak.status_code == 400 and 'id="new_password-error"' in html
    assert 'aria-describedby="new_password-hint new_password-error"' in html

    done = client.post(
        "/reset-password", data={"csrf_token": csrf, "new_password": NEW, "password_confirm": NEW}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert "Your password has been changed" in client.get("/sign-in").get_data(as_text=True)
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "reset.portal@example.org", "password": NEW}
        ).status_code
        == 200
    )

    # the link works once: used again, the page asks for a new one and shows the code field
    again = client.post(
        "/reset-password",
        data={
            "csrf_token": csrf_of(client.get("/reset-password")),
            "token": token,
            "new_password": NEW + "1",
            "password_confirm": NEW + "1",
        },
    )
    html = again.get_data(as_text=True)
    assert again.status_code == 400 and 'id="token-error"' in html and 'href="/forgotten-password"' in html


def test_reset_page_without_a_link_asks_for_the_code(client):
    page = client.get("/reset-password")
    html = page.get_data(as_text=True)
    assert 'id="token"' in html and 'for="token"' in html
    r = client.post(
        "/reset-password",
        data={"csrf_token": csrf_of(page), "token": "", "new_password": NEW, "password_confirm": NEW},
    )
    assert r.status_code == 400 and 'id="token-error"' in r.get_data(as_text=True)


def test_reset_forms_need_the_csrf_token(client):
    register(client)
    client.get("/forgotten-password")
    assert client.post("/forgotten-password", data={"email": "reset.portal@example.org"}).status_code == 400
    assert (
        client.post(
            "/reset-password",
            data={"csrf_token": "forged", "token": "x", "new_password": NEW, "password_confirm": NEW},
        ).status_code
        == 400
    )
    assert reset_links() == []


def test_email_preferences_page_is_signed_in_only_and_friendly_when_services_are_down(client):
    r = client.get("/account/notifications")
    assert r.status_code == 302 and "/sign-in?next=/account/notifications" in r.headers["Location"]
    token = csrf_of(client.get("/sign-up"))
    client.post(
        "/sign-up",
        data={
            "csrf_token": token,
            "name": "Pref Person",
            "email": "pref@example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert 'href="/account/notifications"' in client.get("/account").get_data(as_text=True)
    page = client.get("/account/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<h1") == 1
    assert "cannot be shown right now" in html and "Relationship Health Matters CIC" in html
    assert (
        client.post("/account/notifications/elsewhere", data={"csrf_token": csrf_of(page)}).status_code == 404
    )
