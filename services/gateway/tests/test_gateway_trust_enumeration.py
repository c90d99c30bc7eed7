"""No account enumeration (security review L10). Sign-up with a registered address answers
exactly like a new sign-up (201, the same body shape, an id that names no account) and emails
the owner a notice instead; concurrent duplicate sign-ups make one account and no 500. A
password-reset request takes the same time whether or not the address has an account."""

import statistics
import threading
import time

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from gateway.extensions import db
from gateway.models import User
from gateway.notifications import Notification

PASSWORD = "Correct-horse-battery-9"


def register(client, email="ada@example.org", name="Ada", password=PASSWORD):
    return client.post("/api/v1/auth/register", json={"email": email, "password": password, "name": name})


def emails(kind):
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.kind == kind)).all()


def test_sign_up_with_a_registered_address_looks_like_a_new_one(client):
    first = register(client)
    assert first.status_code == 201
    again = register(client, email="ADA@example.org", name="Mallory", password="Another-long-pass-2")
    fresh = register(client, email="new@example.org", name="Mallory", password="Another-long-pass-2")
    assert again.status_code == fresh.status_code == 201
    a, f = again.get_json(), fresh.get_json()
    assert set(a) == set(f)
    assert {k: a[k] for k in ("roles", "email_verified", "person_id", "organisation_ids")} == {
        k: f[k] for k in ("roles", "email_verified", "person_id", "organisation_ids")
    }
    assert a["name"] == "Mallory" and a["email"] == "ada@example.org"
    assert len(a["id"]) == len(first.get_json()["id"]) and a["id"] != first.get_json()["id"]
    assert again.headers["Content-Type"] == fresh.headers["Content-Type"]
    # nothing changed on the account; its owner was told, the caller got no verification link
    user = db.session.scalar(sa.select(User).where(User.email == "ada@example.org"))
    assert user.name == "Ada"
    notices = emails("account_exists")
    assert len(notices) == 1 and "already have one" in notices[0].text_body
    assert len(emails("email_verification")) == 2  # ada's first sign-up and new@


def test_notices_to_the_owner_are_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_ACCOUNT_NOTICE", "2/hour")
    register(client)
    for _ in range(4):
        assert register(client).status_code == 201
    assert len(emails("account_exists")) == 2


def test_concurrent_duplicate_sign_ups_make_one_account(app, client):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    barrier = threading.Barrier(20)
    statuses = []

    def one(i):
        c = FlaskClient(app, app.response_class)
        barrier.wait()
        r = register(c, email="race@example.org", name=f"Racer {i}")
        statuses.append(r.status_code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 20
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == "race@example.org")
        )
        == 1
    )


def _timed_reset(client, email):
    started = time.perf_counter()
    r = client.post("/api/v1/auth/password-reset", json={"email": email})
    assert r.status_code == 202
    return time.perf_counter() - started


def test_a_reset_request_takes_the_same_time_account_or_not(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_RESET_IP", "off")
    monkeypatch.setitem(app.config, "RATE_LIMIT_RESET_EMAIL", "off")
    register(client)
    _timed_reset(client, "warm@example.org")
    known, unknown = [], []
    for i in range(4):
        known.append(_timed_reset(client, "ada@example.org"))
        unknown.append(_timed_reset(client, f"nobody{i}@example.org"))
    floor = app.config.get("RESET_MIN_SECONDS", 0.25)
    assert min(known + unknown) >= floor
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.03
    assert len(emails("password_reset")) == 3  # the per-user cap of open tokens still holds
