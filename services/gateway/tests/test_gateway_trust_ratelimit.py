"""Rate limiting without bypass or denial of service (security review M7): X-Forwarded-For only
from named proxies (none by default), right-most untrusted hop; a correct password is never
refused because OTHER clients failed on that email; limits on password change and reset."""

import pytest
import sqlalchemy as sa

from gateway import ratelimit
from gateway.extensions import db
from gateway.notifications import Notification

PASSWORD = "Correct-horse-battery-9"
WRONG = "Wrong-password-123"


class Clock:
    def __init__(self):
        self.now = 1_900_000_020.0

    def time(self):
        return self.now


@pytest.fixture
def limits(app, monkeypatch):
    monkeypatch.setattr(ratelimit, "time", Clock())

    def set_(**kw):
        for k, v in kw.items():
            monkeypatch.setitem(app.config, k, v)

    set_(
        RATE_LIMIT_LOGIN="3/minute",
        RATE_LIMIT_LOGIN_IP="100/minute",
        RATE_LIMIT_LOGIN_EMAIL="5/hour",
        RATE_LIMIT_REGISTER="100/minute",
        RATE_LIMIT_TRUSTED_PROXIES="127.0.0.1",
        RESET_MIN_SECONDS=0,
    )
    return set_


def register(client, email="ada@example.org", ip="198.51.100.1"):
    r = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Ada"},
        headers={"X-Forwarded-For": ip},
    )
    assert r.status_code == 201
    return r


def login(client, email="ada@example.org", password=PASSWORD, ip="198.51.100.1", xff=None):
    return client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": xff if xff is not None else ip},
    )


def assert_429(r):
    assert r.status_code == 429, r.get_json()
    assert r.headers["Content-Type"] == "application/problem+json"
    assert int(r.headers["Retry-After"]) >= 1


# -- whose address -----------------------------------------------------------------------------


def test_forwarded_for_is_not_believed_by_default(app, client, monkeypatch):
    monkeypatch.setattr(ratelimit, "time", Clock())
    monkeypatch.delenv("RATE_LIMIT_TRUSTED_PROXIES", raising=False)
    assert app.config["RATE_LIMIT_TRUSTED_PROXIES"] == ""  # the shipped default: none
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_IP", "4/minute")
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN", "100/minute")
    for i in range(4):  # rotating the header does not make new clients
        assert login(client, f"n{i}@example.org", WRONG, xff=f"203.0.113.{i}").status_code == 401
    assert_429(login(client, "n9@example.org", WRONG, xff="203.0.113.99"))


def test_the_right_most_untrusted_hop_is_the_client(app, client, limits):
    limits(
        RATE_LIMIT_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8",
        RATE_LIMIT_LOGIN_IP="2/minute",
        RATE_LIMIT_LOGIN="100/minute",
    )
    # the client's own (forged) first hops vary; what the proxies appended stays: 192.0.2.7
    for forged in ("1.1.1.1", "2.2.2.2, 3.3.3.3"):
        assert login(client, "x@example.org", WRONG, xff=f"{forged}, 192.0.2.7, 10.1.2.3").status_code == 401
    assert_429(login(client, "x@example.org", WRONG, xff="4.4.4.4, 192.0.2.7, 10.1.2.3"))
    assert login(client, "x@example.org", WRONG, xff="192.0.2.8, 10.1.2.3").status_code == 401


def test_client_ip_rules(app):
    cases = [
        ("", "10.0.0.1", "9.9.9.9", "10.0.0.1"),  # none trusted: the peer
        ("10.0.0.1", "10.0.0.1", "9.9.9.9", "9.9.9.9"),
        ("10.0.0.1", "10.0.0.2", "9.9.9.9", "10.0.0.2"),  # peer not trusted
        ("10.0.0.0/8", "10.0.0.1", "8.8.8.8, 9.9.9.9, 10.2.2.2", "9.9.9.9"),
        ("10.0.0.0/8", "10.0.0.1", "10.3.3.3, 10.2.2.2", "10.3.3.3"),  # all trusted: the left-most
        ("10.0.0.1", "10.0.0.1", "", "10.0.0.1"),
    ]
    for trusted, peer, xff, expected in cases:
        app.config["RATE_LIMIT_TRUSTED_PROXIES"] = trusted
        try:
            with app.test_request_context(
                "/", headers={"X-Forwarded-For": xff} if xff else {}, environ_base={"REMOTE_ADDR": peer}
            ):
                assert ratelimit.client_ip() == expected, (trusted, peer, xff)
        finally:
            app.config["RATE_LIMIT_TRUSTED_PROXIES"] = ""


# -- lockout without denial of service ----------------------------------------------------------


def test_other_clients_failures_never_refuse_the_owners_correct_password(client, limits):
    register(client)
    # attackers from many addresses use up the per-email limit (5/hour) and their pair limits
    for i in range(8):
        r = login(client, password=WRONG, ip=f"203.0.113.{i}")
        assert r.status_code in (401, 429)
    assert login(client, ip="198.51.100.200").status_code == 200  # the owner, elsewhere, signs in
    # an attacker who has failed here is refused once the email's limit is used up, even with the
    # right password; one who never failed on it is not
    assert_429(login(client, ip="203.0.113.1"))
    assert_429(login(client, password=WRONG, ip="203.0.113.1"))


def test_the_pair_limit_refuses_only_that_client_on_that_email(client, limits):
    register(client)
    register(client, "bea@example.org")
    for _ in range(3):
        assert login(client, password=WRONG).status_code == 401
    assert_429(login(client))  # the guessing client gains nothing from the right password now
    assert login(client, "bea@example.org").status_code == 200  # its other accounts: fine
    assert login(client, ip="198.51.100.2").status_code == 200  # the owner elsewhere: fine


def test_the_per_address_limit_still_holds_across_emails(client, limits):
    limits(RATE_LIMIT_LOGIN_IP="4/minute")
    for i in range(4):
        assert login(client, f"nobody{i}@example.org", WRONG, ip="203.0.113.5").status_code == 401
    assert_429(login(client, "someone@example.org", WRONG, ip="203.0.113.5"))


# -- password change ----------------------------------------------------------------------------


def test_wrong_current_passwords_are_limited_per_user(client, limits):
    limits(RATE_LIMIT_PASSWORD_CHANGE="3/15minutes")
    register(client)
    token = login(client).get_json()["access_token"]
    headers = {"Authorization": "Bearer " + token}
    body = {"current_password": WRONG, "new_password": "A-new-long-passphrase-7"}
    for _ in range(3):
        r = client.post("/api/v1/auth/password", json=body, headers=headers)
        assert r.status_code == 400 and "current_password" in r.get_json()["errors"]
    assert_429(client.post("/api/v1/auth/password", json=body, headers=headers))
    # even the right current password waits now (a stolen token gains nothing by guessing)
    assert_429(
        client.post(
            "/api/v1/auth/password",
            headers=headers,
            json={"current_password": PASSWORD, "new_password": "A-new-long-passphrase-7"},
        )
    )
    assert login(client).status_code == 200  # the password did not change


# -- password reset -----------------------------------------------------------------------------


def reset(client, email, ip="198.51.100.1"):
    return client.post("/api/v1/auth/password-reset", json={"email": email}, headers={"X-Forwarded-For": ip})


def reset_emails():
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.kind == "password_reset")
    )


def test_reset_requests_per_address_get_429_then(client, limits):
    limits(RATE_LIMIT_RESET_IP="3/hour", RATE_LIMIT_RESET_EMAIL="100/hour")
    for i in range(3):
        assert reset(client, f"r{i}@example.org").status_code == 202
    assert_429(reset(client, "r9@example.org"))
    assert reset(client, "r9@example.org", ip="198.51.100.9").status_code == 202


def test_reset_requests_per_email_stay_202_but_send_no_more(client, limits):
    limits(RATE_LIMIT_RESET_IP="100/hour", RATE_LIMIT_RESET_EMAIL="2/hour")
    register(client)
    for i in range(5):
        assert reset(client, "ada@example.org", ip=f"203.0.113.{i}").status_code == 202
    assert reset_emails() == 2
