"""The gateway hop's CPU cuts (docs/performance.md, "P1: the gateway hop") answer as before: the
token check's query run on a DBAPI cursor raises database errors as SQLAlchemy does, a request
without cookies gets Flask's empty session, and the service's headers come back as setting them
one by one did."""

import pytest
import sqlalchemy as sa
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from gateway import tokens
from gateway.api import proxy
from gateway.extensions import db
from gateway.sessions import SessionInterface


def _old_copy(upstream, out):
    """What the proxy did before: each name's first value set, the others added."""
    seen = set()
    for k, v in upstream:
        lk = k.lower()
        if lk in proxy.HOP_BY_HOP or lk == "x-request-id":
            continue
        if lk in seen:
            out.headers.add(k, v)
        else:
            out.headers[k] = v
            seen.add(lk)


@pytest.mark.parametrize(
    "upstream",
    [
        [
            ("Content-Type", "application/json"),
            ("Content-Length", "9"),
            ("X-Request-ID", "x"),
            ("ETag", '"a"'),
        ],
        [("Set-Cookie", "a=1"), ("content-type", "text/csv"), ("Set-Cookie", "b=2"), ("Connection", "close")],
        [("X-A", "1"), ("Cache-Control", "no-store"), ("Content-Type", "a/b"), ("Content-Type", "c/d")],
        [("Vary", "Accept"), ("Transfer-Encoding", "chunked"), ("Pragma", "no-cache")],  # no Content-Type
        [],
    ],
)
def test_the_services_headers_come_back_as_setting_them_one_by_one_did(upstream):
    before, after = Response(b"{}", status=200), Response(b"{}", status=200)
    _old_copy(upstream, before)
    proxy._copy_headers(upstream, after)
    assert list(after.headers.items()) == list(before.headers.items())


def test_a_database_error_in_the_token_check_is_raised_as_sqlalchemy_raises_it(app, monkeypatch):
    missing = sa.table("no_such_table", sa.column("token_version"))
    broken = sa.select(missing.c.token_version, missing.c.token_version, missing.c.token_version, sa.true())
    monkeypatch.setattr(tokens, "_CHECK", broken.where(missing.c.token_version == sa.bindparam("sub")))
    monkeypatch.setattr(tokens, "_compiled", {})
    with db.engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as core:
        conn.execute(tokens._CHECK, {"sub": "u1", "jti": "j1"})
    with pytest.raises(sa.exc.DBAPIError) as raw:
        tokens._server_side_check("u1", "j1")
    assert type(raw.value) is type(core.value)
    assert "u1" not in str(raw.value)  # bound values hidden, as hide_parameters makes Core do
    # the pool is intact afterwards: the real check still runs
    monkeypatch.undo()
    assert tokens._server_side_check("nobody", "none") is None


def test_a_request_without_cookies_gets_flasks_empty_session_and_a_cookie_is_still_read(app):
    ours, flasks = SessionInterface(), SecureCookieSessionInterface()
    with app.test_request_context("/api/v1/catalogue/courses"):
        from flask import request

        mine, theirs = ours.open_session(app, request), flasks.open_session(app, request)
        assert type(mine) is type(theirs) and dict(mine) == dict(theirs) == {}
        assert not mine.modified and not mine.accessed
    cookie = flasks.get_signing_serializer(app).dumps({"user": "u1"})
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        from flask import request

        assert dict(ours.open_session(app, request)) == {"user": "u1"}
    assert isinstance(app.session_interface, SessionInterface)


def test_a_database_that_cannot_be_reached_in_the_token_check_is_raised_as_sqlalchemy_raises_it(
    app, tmp_path, monkeypatch
):
    """A PostgreSQL restart mid-drill answered 500: the pool's checkout raised the driver's own
    OperationalError, which no handler knows. It is SQLAlchemy's now (answered 503), as a Core
    Connection raises it. A real engine on a database file that cannot be opened."""
    unreachable = sa.create_engine(f"sqlite:///{tmp_path}/no/such/dir/gateway.db")
    with pytest.raises(sa.exc.DBAPIError) as core:
        unreachable.connect()

    class Db:
        engine = unreachable

    monkeypatch.setattr(tokens, "db", Db)
    with pytest.raises(sa.exc.DBAPIError) as raw:
        tokens._server_side_check("u1", "j1")
    assert type(raw.value) is type(core.value) is sa.exc.OperationalError
    with app.test_request_context():
        assert app.handle_user_exception(raw.value).status_code == 503  # the app's own handlers
