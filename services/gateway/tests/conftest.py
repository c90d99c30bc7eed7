"""Fixtures for gateway tests: the app on SQLite and on the real PostgreSQL."""

import pytest

from support import testing as t
from support.testing import database_url  # noqa: F401,F811  (SQLite and PostgreSQL, session-scoped)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    from gateway import create_app
    from gateway.extensions import db

    keys = tmp_path_factory.mktemp("keys")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "JWT_PRIVATE_KEY_FILE": str(keys / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(keys / "public.pem"),
            "TRAINING_URL": "http://127.0.0.1:9",  # nothing listens: upstream calls fail fast
            "CIC_URL": "http://127.0.0.1:9",
            "ACCESS_LOG": False,
        }
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app):
    from gateway.extensions import db

    with _app.app_context():
        yield _app
        db.session.rollback()
        t.truncate_all(db)
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()
