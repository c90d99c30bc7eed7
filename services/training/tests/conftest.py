"""Fixtures for training tests.

Integration tests take `app`/`client`; each runs on SQLite and on the real PostgreSQL
(a fresh database per session; REQUIRE_SERVICES=1 makes PostgreSQL mandatory).
Unit tests of rules take no fixture and run once.
"""
import pytest
from flask.testing import FlaskClient

from imatter_shared import testing as t
from imatter_shared.testing import database_url  # noqa: F401,F811  (SQLite and PostgreSQL, session-scoped)

from training import create_app
from training.extensions import db as _db

KEYS = t.KeyPair()


@pytest.fixture(scope="session")
def keys():
    return KEYS


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "JWT_PUBLIC_KEY": KEYS.public,
        "EVENTS_EMBEDDED_PATH": str(tmp_path_factory.mktemp("events") / "events.db"),
        "ACCESS_LOG": False,
    })
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
