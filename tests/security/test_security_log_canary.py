"""No request data in any log line (security review M6), with the three apps on PostgreSQL.

A canary marker goes into every field of requests that fail on a database constraint or a
database error: real endpoints (a NUL byte, a lone surrogate, oversized and constraint-breaking
values) and test routes that make the database itself refuse a value (an oversized string, text
cast to an integer, whose PostgreSQL message quotes the value; a duplicate key) or raise an
unexpected error whose message carries the canary. Every log line of the three apps is captured
(the JSON log on stderr, pytest's caplog, and SQLAlchemy's statement log switched on) and must
not contain the canary; no answer is a 500 where the client caused it, and no answer carries
database text."""

from __future__ import annotations

import io
import json
import logging
import uuid

import pytest
import sqlalchemy as sa
from flask import Blueprint, request

from imatter_shared.web.logging import JsonFormatter
from support.three_apps import KEYS, three_apps

CANARY = "CANARY" + uuid.uuid4().hex[:10].upper()


def _canary_routes(app):
    """Routes that hand the request's values to the database the way a careless view would."""
    bp = Blueprint("canary", __name__)
    db = app.extensions["sqlalchemy"]

    @bp.post("/_canary/cast")
    def cast():  # PostgreSQL: invalid input syntax for type integer: "<the value>" (DataError)
        return {
            "n": db.session.execute(sa.text("SELECT CAST(:v AS integer)"), {"v": request.json["v"]}).scalar()
        }

    @bp.post("/_canary/too-long")
    def too_long():  # value too long for type character varying(8) (DataError)
        db.session.execute(sa.text("CREATE TEMP TABLE IF NOT EXISTS canary_t (v varchar(8) PRIMARY KEY)"))
        db.session.execute(sa.text("INSERT INTO canary_t (v) VALUES (:v)"), {"v": request.json["v"]})
        return {"ok": True}

    @bp.post("/_canary/duplicate")
    def duplicate():  # duplicate key value violates unique constraint ... Key (v)=(<the value>) (IntegrityError)
        db.session.execute(sa.text("CREATE TEMP TABLE IF NOT EXISTS canary_u (v varchar(200) PRIMARY KEY)"))
        for _ in range(2):
            db.session.execute(sa.text("INSERT INTO canary_u (v) VALUES (:v)"), {"v": request.json["v"]})
        return {"ok": True}

    @bp.post("/_canary/unexpected")
    def unexpected():
        raise RuntimeError("something broke while handling " + request.json["v"])

    app.register_blueprint(bp)


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    with three_apps("postgres", tmp_path_factory.mktemp("canary"), setup=_canary_routes) as apps:
        yield apps


@pytest.fixture
def logs(caplog):
    """Everything logged while the test runs, as the apps' JSON formatter writes it and as
    pytest's caplog records it (message, arguments and exception text)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("canary-test"))
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    engine_logger = logging.getLogger("sqlalchemy.engine")
    old = engine_logger.level
    engine_logger.setLevel(logging.INFO)  # statements and (hidden) parameters are logged too
    try:
        yield (
            lambda: (
                stream.getvalue()
                + "\n"
                + caplog.text
                + "\n".join(
                    json.dumps([r.getMessage(), str(r.args), str(r.__dict__)], default=str)
                    for r in caplog.records
                )
            )
        )
    finally:
        root.removeHandler(handler)
        engine_logger.setLevel(old)


def nul(s):
    return s + "\u0000"


def fields(*names, value):
    return dict.fromkeys(names, value)


def requests_to_send():
    c = CANARY
    learner = KEYS.headers(user_id="canary-learner", email="canary-learner@example.org", roles=["learner"])
    yield (
        "gateway",
        "/api/v1/auth/register",
        {"email": f"{c.lower()}@example.org", "password": f"{c}-pass-1", "name": nul(c)},
        {},
    )
    yield (
        "gateway",
        "/api/v1/auth/register",
        {"email": f"{c.lower()}@example.org", "password": f"{c}-pass-1\ud800", "name": c},
        {},
    )
    yield (
        "gateway",
        "/api/v1/auth/register",
        {"email": f"{c.lower()}" * 30 + "@example.org", "password": f"{c}-pass-1", "name": c * 40},
        {},
    )
    yield "gateway", "/api/v1/auth/login", {"email": nul(c), "password": nul(c)}, {}
    yield "gateway", "/api/v1/auth/password-reset", {"email": nul(c)}, {}
    yield "gateway", "/api/v1/auth/verify-email", {"token": nul(c)}, {}
    yield (
        "training",
        "/api/v1/interest",
        {"element": "schools", "name": nul(c), "email": f"{c.lower()}@example.org", "message": nul(c)},
        {},
    )
    yield (
        "training",
        "/api/v1/interest",
        {"element": "schools", "name": c * 30, "email": f"{c.lower()}@example.org", "message": c * 300},
        {},
    )
    yield (
        "training",
        "/api/v1/people",
        {"name": nul(c), "email": f"{c.lower()}@example.org", "kind": "personal"},
        learner,
    )
    yield (
        "training",
        "/api/v1/organisations",
        {"name": nul(c), "kind": "school", "size_band": c, "link_contact_email": f"{c.lower()}@example.org"},
        learner,
    )
    yield "cic", "/api/v1/consultations", {"for_kind": "family", "purpose": nul(c)}, learner
    yield "cic", "/api/v1/consultations", {"for_kind": "family", "purpose": c * 200}, learner
    yield "cic", "/api/v1/fund/gifts", {"amount": 10**20, "name": nul(c)}, learner
    yield (
        "cic",
        "/api/v1/fund/applications",
        {"practitioner_id": c * 10, "organisation_id": nul(c), "package_type": 1, "summary": nul(c)},
        learner,
    )
    for name in ("gateway", "training", "cic"):
        yield name, "/_canary/cast", {"v": c}, {}
        yield name, "/_canary/too-long", {"v": c * 3}, {}
        yield name, "/_canary/duplicate", {"v": c}, {}


def test_no_canary_in_any_log_line_or_answer(apps, logs):
    statuses = {}
    for name, path, body, headers in requests_to_send():
        r = (
            apps[name]
            .test_client()
            .post(path, data=json.dumps(body), content_type="application/json", headers=headers)
        )
        statuses[(name, path, len(statuses))] = r.status_code
        assert r.status_code != 500, (name, path, r.get_data(as_text=True)[:300])
        text = r.get_data(as_text=True)
        if r.status_code >= 400:
            assert CANARY not in text, (name, path, text[:300])
            for word in ("psycopg", "sqlalchemy", "SELECT", "INSERT", "violates", "invalid input syntax"):
                assert word not in text, (name, path, word, text[:300])
    # the database refusals the client caused: 400 (value) and 409 (duplicate)
    for name in ("gateway", "training", "cic"):
        cast = [s for (n, p, _), s in statuses.items() if n == name and p == "/_canary/cast"]
        too_long = [s for (n, p, _), s in statuses.items() if n == name and p == "/_canary/too-long"]
        dup = [s for (n, p, _), s in statuses.items() if n == name and p == "/_canary/duplicate"]
        assert cast == [400] and too_long == [400] and dup == [409], (name, cast, too_long, dup)
    captured = logs()
    assert "canary" in captured.lower() or "request" in captured  # logging was captured at all
    assert "/_canary/cast" in captured  # the failing requests were logged (without their data)
    assert CANARY not in captured


def test_an_unexpected_error_is_logged_by_class_only(apps, logs):
    for name in ("gateway", "training", "cic"):
        r = apps[name].test_client().post("/_canary/unexpected", json={"v": CANARY})
        assert r.status_code == 500 and CANARY not in r.get_data(as_text=True)
    captured = logs()
    assert "RuntimeError" in captured  # what broke and where is still there
    assert "unexpected" in captured  # the view's name in the frames
    assert CANARY not in captured


def test_every_engine_hides_parameters(apps):
    for app in apps.values():
        with app.app_context():
            assert app.extensions["sqlalchemy"].engine.hide_parameters is True
