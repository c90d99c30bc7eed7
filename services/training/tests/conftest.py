"""Fixtures for training tests.

Integration tests take `app`/`client`; each runs on SQLite and on the real PostgreSQL
(a fresh database per session; REQUIRE_SERVICES=1 makes PostgreSQL mandatory).
Unit tests of rules take no fixture and run once.
"""

import pytest
from flask.testing import FlaskClient

from support import testing as t
from support.testing import database_url  # noqa: F401,F811  (SQLite and PostgreSQL, session-scoped)
from training import create_app
from training.extensions import db as _db

KEYS = t.KeyPair()


@pytest.fixture(scope="session")
def keys():
    return KEYS


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "JWT_PUBLIC_KEY": KEYS.public,
            "EVENTS_EMBEDDED_PATH": str(tmp_path_factory.mktemp("events") / "events.db"),
            "ACCESS_LOG": False,
            "CREDENTIALS_KEY_FILE": str(tmp_path_factory.mktemp("keys") / "credentials_issuer.pem"),
        }
    )
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def app(_app):
    with _app.app_context():
        yield _app
        _db.session.rollback()
        t.truncate_all(_db)
        _db.session.remove()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return _FreshGlobalsClient(app, app.response_class, use_cookies=True)


class _FreshGlobalsClient(FlaskClient):
    """Each request starts with an empty `g`, as under gunicorn. The `app` fixture keeps one
    app context open for the whole test, and Flask reuses it for every test request, so
    without this the caller resolved for one token (g.principal, g.caller) would leak into
    the next request made with another token."""

    def open(self, *args, **kwargs):
        from flask import g

        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def staff(keys):
    """A training admin's headers (a test module may define its own `staff` instead)."""
    import uuid

    uid = uuid.uuid4().hex
    return keys.headers(
        user_id=uid, email=f"{uid[:8]}@example.org", roles=["training_admin"], name="Tess Fictional-Staff"
    )


@pytest.fixture
def join(client, keys):
    """Membership by consent, as a test needs it: the member signs up (verified) and links their
    own person, the admin invites that person, the member accepts. Returns the person's JSON with
    `headers` (the member's own) and `membership_id` added."""
    import uuid

    def _join(
        admin_headers: dict,
        org_id: str,
        name: str = "Fictional Member",
        email: str | None = None,
        role: str = "staff",
        kind: str = "professional",
    ) -> dict:
        uid = uuid.uuid4().hex
        email = email or f"{uid[:10]}@example.org"
        h = keys.headers(user_id=uid, email=email, name=name)
        r = client.post("/api/v1/people", headers=h, json={"name": name, "email": email, "kind": kind})
        assert r.status_code in (200, 201), r.get_json()
        p = r.get_json()
        r = client.post(
            f"/api/v1/organisations/{org_id}/members",
            headers=admin_headers,
            json={"person_id": p["id"], "role": role},
        )
        assert r.status_code == 201 and r.get_json()["state"] == "invited", r.get_json()
        m = r.get_json()
        r = client.post(f"/api/v1/memberships/{m['id']}/accept", headers=h)
        assert r.status_code == 200 and r.get_json()["state"] == "active", r.get_json()
        return {**p, "headers": h, "membership_id": m["id"]}

    return _join
