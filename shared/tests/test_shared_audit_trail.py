"""The audit trail mechanism on a small demo service, on SQLite and PostgreSQL: what is
recorded (who, what, when, from where, request id), append-only enforcement, and the staff
query endpoint."""

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from imatter_shared import audit
from imatter_shared.web.api import Blueprint, init_service
from imatter_shared.web.audit_api import init_audit
from imatter_shared.web.auth import current_principal, log_refusal
from imatter_shared.web.errors import NotFound
from support import testing as t

db = SQLAlchemy()
KEYS = t.KeyPair()


class AuditEvent(audit.AuditMixin, db.Model):
    __tablename__ = "demo_audit_events"


class Thing(db.Model):
    __tablename__ = "demo_things"
    id = sa.Column(sa.String(32), primary_key=True)
    owner = sa.Column(sa.String(64), nullable=False)
    label = sa.Column(sa.String(64), nullable=False)


blp = Blueprint("things", __name__, url_prefix="/api/v1/demo")


@blp.route("/things/<thing_id>", methods=["GET"])
def read_thing(thing_id):
    p = current_principal()
    thing = db.session.get(Thing, thing_id)
    if thing is None or thing.owner != p.user_id:
        log_refusal("thing", thing_id)  # logs and records "refused" in the audit trail
        raise NotFound("No such thing.")
    audit.record("read", "thing", thing.id)
    return {"id": thing.id, "label": thing.label}


@blp.route("/things/<thing_id>", methods=["POST"])
def change_thing(thing_id):
    current_principal()
    thing = db.session.get(Thing, thing_id)
    thing.label = "changed"
    audit.record("change", "thing", thing.id)
    db.session.commit()
    return {"id": thing.id, "label": thing.label}


def make_app(url):
    app = Flask("demo_audit")
    app.config.update(SQLALCHEMY_DATABASE_URI=url, JWT_PUBLIC_KEY=KEYS.public, TESTING=True, ACCESS_LOG=False)
    api = init_service(app, db, "demo", "Demo")
    api.register_blueprint(blp)
    init_audit(app, api, db, AuditEvent, url_prefix="/api/v1/demo", roles=("demo_admin",))
    return app


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def app(request, tmp_path_factory):
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("audit") / "audit.db")
    else:
        url = t.create_postgres_database()
    app = make_app(url)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgres":
        t.drop_postgres_database(url)


@pytest.fixture
def client(app):
    with app.app_context():
        t.truncate_all(db)
        db.session.add_all([Thing(id="t1", owner="alice", label="a"), Thing(id="t2", owner="bob", label="b")])
        db.session.commit()
        db.session.remove()
    return app.test_client()


def rows(app, **where):
    with app.app_context():
        q = sa.select(AuditEvent).order_by(AuditEvent.id)
        for k, v in where.items():
            q = q.where(getattr(AuditEvent, k) == v)
        out = [r.to_dict() for r in db.session.scalars(q)]
        db.session.remove()
        return out


def test_a_read_is_recorded_with_who_when_and_where(app, client):
    r = client.get(
        "/api/v1/demo/things/t1",
        headers={
            **KEYS.headers(user_id="alice"),
            "X-Forwarded-For": "203.0.113.7",
            "X-Request-ID": "req-12345678",
        },
    )
    assert r.status_code == 200
    [row] = rows(app)
    assert row["action"] == "read" and row["record_type"] == "thing" and row["record_id"] == "t1"
    assert row["user_id"] == "alice"
    assert row["ip"] == "203.0.113.7"
    assert row["request_id"] == "req-12345678"
    assert row["at"].endswith("Z") and row["via"] == "api"


def test_a_refused_object_access_is_recorded_although_the_request_fails(app, client):
    r = client.get("/api/v1/demo/things/t2", headers=KEYS.headers(user_id="alice"))
    assert r.status_code == 404
    [row] = rows(app)
    assert (row["action"], row["record_id"], row["user_id"]) == ("refused", "t2", "alice")


def test_a_change_is_recorded_with_the_change(app, client):
    r = client.post("/api/v1/demo/things/t1", headers=KEYS.headers(user_id="alice"))
    assert r.status_code == 200
    assert [x["action"] for x in rows(app)] == ["change"]
    with app.app_context():
        assert db.session.get(Thing, "t1").label == "changed"


def test_an_unknown_action_is_a_programming_error(app):
    with app.app_context():
        with pytest.raises(ValueError):
            audit.record("peek", "thing", "t1")


def test_audit_rows_cannot_be_changed_or_deleted_through_the_application(app, client):
    client.get("/api/v1/demo/things/t1", headers=KEYS.headers(user_id="alice"))
    with app.app_context():
        row = db.session.scalars(sa.select(AuditEvent)).one()
        row.user_id = "mallory"
        with pytest.raises(audit.AuditAppendOnly):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalars(sa.select(AuditEvent)).one())
        with pytest.raises(audit.AuditAppendOnly):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(audit.AuditAppendOnly):
            db.session.execute(sa.update(AuditEvent).values(user_id="mallory"))
        db.session.rollback()
        with pytest.raises(audit.AuditAppendOnly):
            db.session.execute(sa.delete(AuditEvent))
        db.session.rollback()
        assert db.session.scalars(sa.select(AuditEvent.user_id)).all() == ["alice"]
        db.session.remove()


def test_postgres_refuses_update_and_delete_below_the_application(app, client):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the trigger guard is PostgreSQL's")
    client.get("/api/v1/demo/things/t1", headers=KEYS.headers(user_id="alice"))
    with app.app_context():
        for stmt in ("UPDATE demo_audit_events SET user_id = 'mallory'", "DELETE FROM demo_audit_events"):
            with db.engine.connect() as conn:
                with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                    conn.exec_driver_sql(stmt)
        with db.engine.begin() as conn:  # the retention job's own permission
            audit.allow_retention_delete(conn)
            assert conn.exec_driver_sql("DELETE FROM demo_audit_events").rowcount == 1


def test_staff_query_the_trail_with_filters_and_pages(app, client):
    for _ in range(3):
        client.get("/api/v1/demo/things/t1", headers=KEYS.headers(user_id="alice"))
    client.get("/api/v1/demo/things/t1", headers=KEYS.headers(user_id="bob"))
    staff = KEYS.headers(user_id="staff", roles=["demo_admin"])
    r = client.get("/api/v1/demo/audit?user_id=alice&per_page=2", headers=staff)
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 2 and len(body["items"]) == 2
    assert {i["user_id"] for i in body["items"]} == {"alice"}
    r = client.get("/api/v1/demo/audit?action=refused", headers=staff)
    assert r.get_json()["total"] == 1 and r.get_json()["items"][0]["user_id"] == "bob"
    r = client.get("/api/v1/demo/audit?since=2000-01-01T00:00:00Z&record_id=t1", headers=staff)
    assert r.get_json()["total"] == 4


def test_only_staff_may_query_the_trail(app, client):
    assert client.get("/api/v1/demo/audit").status_code == 401
    r = client.get("/api/v1/demo/audit", headers=KEYS.headers(user_id="alice", roles=["learner"]))
    assert r.status_code == 403
    assert r.headers["Content-Type"] == "application/problem+json"
    r = client.get("/api/v1/demo/audit?action=peek", headers=KEYS.headers(roles=["demo_admin"]))
    assert r.status_code == 400
