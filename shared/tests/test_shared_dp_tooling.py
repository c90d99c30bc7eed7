"""`flask dp ...` on a small demo service, on SQLite and PostgreSQL: the record of
processing, subject access, erasure (financial records pseudonymised, payloads rewritten),
retention and the breach register."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from imatter_shared import audit
from imatter_shared.dataprotection import (
    NOT_PII,
    BreachMixin,
    SubjectTable,
    annotate,
    pii,
    problems,
    register_dp_cli,
)
from imatter_shared.messaging.models import OutboxMixin
from imatter_shared.web.api import init_service
from imatter_shared.web.audit_api import init_audit
from support import testing as t

db = SQLAlchemy()
P = "learning administration"
R = "until erased on request"


def now():
    return datetime.now(UTC).replace(tzinfo=None)


class Person(db.Model):
    __tablename__ = "dp_people"
    id = sa.Column(sa.String(32), primary_key=True)
    name = sa.Column(sa.String(200), nullable=False, info=pii("name", P, "contract", R))
    email = sa.Column(sa.String(254), nullable=False, unique=True, info=pii("contact", P, "contract", R))
    user_id = sa.Column(sa.String(64), nullable=True, info=pii("account id", P, "contract", R))
    secret_hash = sa.Column(
        sa.String(100), nullable=True, info=pii("credential", P, "contract", R, export=False)
    )
    created_at = sa.Column(sa.DateTime, nullable=False, default=now)


class Enrolment(db.Model):
    __tablename__ = "dp_enrolments"
    id = sa.Column(sa.String(32), primary_key=True)
    person_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("dp_people.id"),
        nullable=False,
        info=pii("learner id", P, "contract", "2 years after created_at"),
    )
    course = sa.Column(sa.String(20), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=now)


class Order(db.Model):
    __tablename__ = "dp_orders"
    id = sa.Column(sa.String(32), primary_key=True)
    person_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("dp_people.id"),
        nullable=False,
        info=pii("buyer id", "accounting", "legal_obligation", "6 years after created_at"),
    )
    billing_name = sa.Column(
        sa.String(200),
        nullable=False,
        info=pii("buyer name", "accounting", "legal_obligation", "6 years after created_at"),
    )
    amount = sa.Column(sa.Integer, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=now)


class Note(db.Model):
    """Mentions a person by id without a foreign key (as cic-tracker does with training ids)."""

    __tablename__ = "dp_notes"
    id = sa.Column(sa.String(32), primary_key=True)
    about = sa.Column(
        sa.String(32),
        nullable=False,
        info=pii("person id", P, "legitimate_interests", "30 days after created_at", subject="person_id"),
    )
    text = sa.Column(
        sa.Text, nullable=True, info=pii("free text", P, "legitimate_interests", "30 days after created_at")
    )
    created_at = sa.Column(sa.DateTime, nullable=False, default=now)


class Visit(db.Model):
    """A column cleared sooner than its row: ip after 7 days, the row stays."""

    __tablename__ = "dp_visits"
    id = sa.Column(sa.String(32), primary_key=True)
    ip = sa.Column(
        sa.String(64),
        nullable=True,
        info=pii("network id", "security", "legitimate_interests", "7 days after created_at"),
    )
    page = sa.Column(sa.String(64), nullable=False, info=NOT_PII)
    name = sa.Column(sa.String(64), nullable=False, info=NOT_PII)
    created_at = sa.Column(sa.DateTime, nullable=False, default=now)


class Group(db.Model):
    """Found through its contact's email, but erasing the contact must not delete the group."""

    __tablename__ = "dp_groups"
    id = sa.Column(sa.String(32), primary_key=True)
    title = sa.Column(sa.String(64), nullable=False, info=NOT_PII)
    contact_email = sa.Column(
        sa.String(254),
        nullable=False,
        info=pii("contact", P, "contract", R, subject="email", erase="pseudonymise"),
    )


class Outbox(OutboxMixin, db.Model):
    __tablename__ = "dp_outbox_messages"


class AuditEvent(audit.AuditMixin, db.Model):
    __tablename__ = "dp_audit_events"


class Breach(BreachMixin, db.Model):
    __tablename__ = "dp_breaches"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def app(request, tmp_path_factory):
    url = (
        ("sqlite:///" + str(tmp_path_factory.mktemp("dp") / "dp.db"))
        if request.param == "sqlite"
        else t.create_postgres_database()
    )
    app = Flask("demo_dp")
    app.config.update(SQLALCHEMY_DATABASE_URI=url, TESTING=True, ACCESS_LOG=False, JWT_PUBLIC_KEY="unused")
    api = init_service(app, db, "demo", "Demo")
    init_audit(app, api, db, AuditEvent, url_prefix="/api/v1/demo", roles=("demo_admin",))
    register_dp_cli(
        app,
        db,
        service="demo",
        subject=SubjectTable(Person, user_id_column="user_id"),
        financial_tables=("dp_orders",),
        breach_model=Breach,
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgres":
        t.drop_postgres_database(url)


def outbox_row(data, **kw):
    from imatter_shared.events.envelope import new_envelope

    env = new_envelope("training.demo.happened", data, "demo", version=1)
    return Outbox(event_id=env.event_id, type=env.type, payload=env.to_json().decode(), **kw)


@pytest.fixture
def people(app):
    with app.app_context():
        t.truncate_all(db)
        old = now() - timedelta(days=400)
        db.session.add_all(
            [
                Person(id="p1", name="Ada Example", email="ada@example.org", user_id="u1", secret_hash="h1"),
                Person(id="p2", name="Bea Example", email="bea@example.org", user_id="u2"),
            ]
        )
        db.session.flush()
        db.session.add_all(
            [
                Enrolment(id="e1", person_id="p1", course="F-A"),
                Enrolment(id="e2", person_id="p2", course="F-A"),
                Order(id="o1", person_id="p1", billing_name="Ada Example", amount=25000),
                Note(id="n1", about="p1", text="met Ada"),
                Note(id="n2", about="p2", text="met Bea"),
                Note(id="n3", about="p2", text="old note", created_at=old),
                Visit(id="v1", ip="198.51.100.1", page="/", name="home", created_at=old),
                Visit(id="v2", ip="198.51.100.2", page="/", name="home"),
                Group(id="g1", title="Reading group", contact_email="Ada@Example.org"),
                outbox_row({"person_id": "p1", "email": "ada@example.org", "organisation_id": "org1"}),
                outbox_row(
                    {"person_id": "p2"},
                    state="published",
                    published_at=datetime.now(UTC) - timedelta(days=800),
                ),
            ]
        )
        db.session.commit()
        db.session.remove()
    return app


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["dp", *args])


def test_register_prints_the_record_of_processing_and_passes(app):
    r = cli(app, "register")
    assert r.exit_code == 0, r.output
    assert "table dp_people" in r.output and "lawful basis: contract" in r.output
    r = cli(app, "register", "--format", "json")
    record = json.loads(r.output)
    people = next(x for x in record["tables"] if x["table"] == "dp_people")
    assert {f["column"] for f in people["fields"]} == {"name", "email", "user_id", "secret_hash"}
    notes = next(x for x in record["tables"] if x["table"] == "dp_notes")
    assert all(f["retention_enforced"] for f in notes["fields"])
    outbox = next(x for x in record["tables"] if x["table"] == "dp_outbox_messages")
    assert outbox["fields"][0]["column"] == "payload"
    assert record["problems"] == []


def test_register_fails_for_an_unannotated_personal_column():
    md = sa.MetaData()
    sa.Table(
        "things",
        md,
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("phone", sa.String),
        sa.Column("given_by", sa.String),
        sa.Column("remarks", sa.Text),
        sa.Column("kind", sa.String),
    )
    sa.Table("cases", md, sa.Column("id", sa.String, primary_key=True), sa.Column("code", sa.String))
    sa.Table(
        "odd",
        md,
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("email", sa.String, info=pii("c", "p", "because", "forever")),
        sa.Column("name", sa.String, info=pii("c", "p", "contract", "3 years after nowhere")),
    )
    found = "\n".join(problems(md))
    for where in ("things.phone", "things.given_by", "things.remarks", "cases.code", "odd.email", "odd.name"):
        assert where in found
    assert "things.kind" not in found and "things.id" not in found


def test_register_command_exits_non_zero_when_a_column_lacks_an_annotation(tmp_path):
    bad_db = SQLAlchemy()

    class Contact(bad_db.Model):
        __tablename__ = "contacts"
        id = sa.Column(sa.String(32), primary_key=True)
        phone = sa.Column(sa.String(30))

    app = Flask("bad")
    app.config.update(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "bad.db"))
    bad_db.init_app(app)
    register_dp_cli(app, bad_db, service="bad")
    r = app.test_cli_runner().invoke(args=["dp", "register"])
    assert r.exit_code == 1
    assert "contacts.phone" in r.output


def test_export_gives_every_record_of_the_person_and_nobody_else(people):
    r = cli(people, "export", "--email", "ADA@example.org")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["subject"]["person_ids"] == ["p1"] and out["subject"]["user_ids"] == ["u1"]
    rec = out["records"]
    assert [p["id"] for p in rec["dp_people"]] == ["p1"]
    assert "secret_hash" not in rec["dp_people"][0]
    assert [e["id"] for e in rec["dp_enrolments"]] == ["e1"]
    assert [o["id"] for o in rec["dp_orders"]] == ["o1"]
    assert [n["id"] for n in rec["dp_notes"]] == ["n1"]
    assert rec["dp_outbox_messages"][0]["payload"]["data"]["email"] == "ada@example.org"
    assert "bea@example.org" not in r.output
    by_person = json.loads(cli(people, "export", "--person", "p1").output)
    assert by_person["records"] == rec
    with people.app_context():
        exported = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert {(a.record_type, a.record_id) for a in exported} >= {("dp_people", "p1"), ("dp_orders", "o1")}
        assert all(a.via == "cli" for a in exported)


def test_export_needs_exactly_one_identifier(people):
    assert cli(people, "export").exit_code != 0
    assert cli(people, "export", "--email", "a@b.c", "--person", "p1").exit_code != 0


def test_erase_removes_the_person_and_keeps_financial_records_pseudonymised(people):
    r = cli(people, "erase", "--email", "ada@example.org")
    assert r.exit_code == 0, r.output
    with people.app_context():
        ada = db.session.get(Person, "p1")  # kept as a tombstone: the order still points at it
        assert ada.email.endswith("@erased.invalid") and "Ada" not in ada.name
        assert ada.user_id != "u1" and ada.secret_hash is None
        assert db.session.get(Enrolment, "e1") is None and db.session.get(Note, "n1") is None
        order = db.session.get(Order, "o1")
        assert order.amount == 25000 and order.person_id == "p1" and "Ada" not in order.billing_name
        payload = db.session.scalars(sa.select(Outbox.payload).where(Outbox.state == "pending")).one()
        assert "ada@example.org" not in payload and '"p1"' not in payload and "org1" in payload
        group = db.session.get(Group, "g1")
        assert group is not None and group.contact_email.endswith("@erased.invalid")
        # nobody else is touched
        assert db.session.get(Person, "p2").email == "bea@example.org"
        assert db.session.get(Enrolment, "e2") is not None and db.session.get(Note, "n2") is not None
        erased = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "erase")).all()
        assert {a.record_type for a in erased} >= {
            "dp_people",
            "dp_enrolments",
            "dp_notes",
            "dp_orders",
            "dp_outbox_messages",
        }
    again = json.loads(cli(people, "export", "--email", "ada@example.org").output)
    assert again["records"] == {}


def test_erase_deletes_a_person_nothing_else_needs(people):
    with people.app_context():
        db.session.add(Person(id="p3", name="Cy Example", email="cy@example.org"))
        db.session.commit()
    assert cli(people, "erase", "--person", "p3").exit_code == 0
    with people.app_context():
        assert db.session.get(Person, "p3") is None


def test_retention_deletes_and_clears_what_is_past_its_schedule(people):
    r = cli(people, "retention", "--dry-run")
    assert r.exit_code == 0, r.output
    with people.app_context():
        assert db.session.get(Note, "n3") is not None  # a dry run changes nothing
    r = cli(people, "retention")
    assert r.exit_code == 0, r.output
    report = {x["table"]: x for x in json.loads(r.output)["tables"]}
    assert report["dp_notes"]["deleted"] == 1
    assert report["dp_visits"]["cleared"] == {"ip": 1}
    with people.app_context():
        assert db.session.get(Note, "n3") is None and db.session.get(Note, "n2") is not None
        assert db.session.get(Visit, "v1").ip is None and db.session.get(Visit, "v1").page == "/"
        assert db.session.get(Visit, "v2").ip == "198.51.100.2"
        states = db.session.scalars(sa.select(Outbox.state)).all()
        assert states == ["pending"]  # the old published message went, the pending one stays
        assert db.session.get(Person, "p1") is not None  # event-bound retention is not the job's


def test_retention_in_the_future_deletes_old_rows_but_never_financial_ones(people):
    with people.app_context():
        db.session.add(AuditEvent(action="read", record_type="x", record_id="1", user_id="u9"))
        db.session.commit()
    r = cli(people, "retention", "--now", "2099-01-01T00:00:00Z")
    assert r.exit_code == 0, r.output
    with people.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
        order = db.session.get(Order, "o1")
        assert order is not None and order.amount == 25000 and order.billing_name == "[erased]"


def test_breach_register_computes_the_72_hour_deadline_and_flags_overdue(people):
    r = cli(people, "breach", "add", "--description", "laptop lost", "--detected-at", "2030-03-01T09:00:00Z")
    assert r.exit_code == 0, r.output
    first = json.loads(r.output)
    assert first["ico_deadline"] == "2030-03-04T09:00:00Z"
    second = json.loads(
        cli(
            people,
            "breach",
            "add",
            "--description",
            "mis-sent email",
            "--detected-at",
            "2030-03-02T12:00:00Z",
        ).output
    )
    r = cli(people, "breach", "list", "--now", "2030-03-04T10:00:00Z")
    listing = json.loads(r.stdout)
    assert {i["id"]: i["status"] for i in listing["items"]} == {first["id"]: "overdue", second["id"]: "open"}
    assert listing["overdue"] == 1
    assert cli(people, "breach", "list", "--now", "2030-03-04T10:00:00Z", "--fail-if-overdue").exit_code == 1
    r = cli(people, "breach", "notify", second["id"], "--at", "2030-03-03T08:00:00Z", "--reference", "ICO-1")
    assert json.loads(r.output)["status"] == "notified"
    r = cli(people, "breach", "notify", first["id"], "--at", "2030-03-05T08:00:00Z")
    assert json.loads(r.output)["status"] == "notified_late"
    assert cli(people, "breach", "notify", "nope").exit_code != 0


def test_annotations_kept_beside_the_models_fill_gaps_only_and_stale_ones_are_reported():
    md = sa.MetaData()
    t = sa.Table(
        "x",
        md,
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("email", sa.String, info=pii("own", "p", "contract", "r")),
        sa.Column("phone", sa.String),
    )
    annotate(
        md,
        {
            "x.email": pii("other", "p", "contract", "r"),
            "x.phone": pii("phone", "p", "contract", "r"),
            "x.gone": NOT_PII,
        },
    )
    assert t.c.email.info["pii"]["category"] == "own"
    assert t.c.phone.info["pii"]["category"] == "phone"
    assert list(problems(md)) == ["x.gone: annotated but no such column (rename or remove the entry)"]
