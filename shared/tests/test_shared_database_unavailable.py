"""A request that loses its database (a restart, a failover) answers 503 problem+json with
Retry-After, not 500; the statement and its values stay out of the answer and the log."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import OperationalError, ProgrammingError

from imatter_shared.web.errors import register_error_handlers


def _app() -> Flask:
    app = Flask(__name__)
    register_error_handlers(app)

    @app.post("/lost")
    def lost():
        raise OperationalError(
            "INSERT INTO people (name) VALUES (%(name)s)",
            {"name": "SECRET-VALUE"},
            Exception("terminating connection due to administrator command"),
        )

    @app.post("/bug")
    def bug():
        raise ProgrammingError("SELECT nope", {}, Exception("column nope does not exist"))

    return app


def test_a_lost_database_is_503_with_retry_after(caplog):
    caplog.set_level(logging.DEBUG)
    r = _app().test_client().post("/lost")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert r.mimetype == "application/problem+json" and r.json["status"] == 503
    assert "SECRET-VALUE" not in r.get_data(as_text=True) and "SECRET-VALUE" not in caplog.text
    assert "INSERT" not in r.get_data(as_text=True)


def test_another_database_error_is_still_500():
    assert _app().test_client().post("/bug").status_code == 500


def test_a_database_lost_after_the_view_is_503_too():
    """An error past the view (an after_request hook touching the database) reaches the handlers
    as a 500 HTTPException wrapping it: still 503 for a lost database."""
    app = _app()

    @app.get("/after")
    def fine():
        return {"ok": True}

    @app.after_request
    def touch(resp):
        if resp.status_code == 200:
            raise OperationalError("UPDATE sessions", {}, Exception("server closed the connection"))
        return resp

    r = app.test_client().get("/after")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"


def test_a_connection_dead_at_teardown_does_not_turn_the_answer_into_a_500():
    """The answer is ready; closing the request's session finds its connection killed (as by a
    database restart: the ROLLBACK fails). The connection is dropped, the answer stands, and the
    next request gets a fresh connection. Real PostgreSQL: the backend is terminated for real."""
    import sqlalchemy as sa
    from flask_sqlalchemy import SQLAlchemy

    from imatter_shared.web.api import _session_closer
    from support import testing

    url = testing.create_postgres_database("imatter_teardown")
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db = SQLAlchemy()
    db.init_app(app)
    app.teardown_appcontext(_session_closer(db))  # as init_service registers it

    @app.get("/answer")
    def answer():
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        admin = sa.create_engine(testing.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        return {"ok": True}

    try:
        assert app.test_client().get("/answer").status_code == 200
        with app.app_context():
            assert db.session.execute(sa.text("SELECT 1")).scalar() == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        testing.drop_postgres_database(url)
