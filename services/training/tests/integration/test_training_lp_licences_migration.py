"""Revision 0017 (decisions 0055-0057) adds Lead Professional licences, a licence credential kind and
a Level 3A group's scope, licence and wider audience column, on SQLite and PostgreSQL: a group registered before it reads
as Everyday Parenting with no licence, a certification's credential is untouched, a licence and its
credential can then be stored, and the downgrade to 0016 takes them away again."""

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from support import testing as t
from training import create_app
from training.extensions import db

NOW = dt.datetime(2026, 11, 29, 9, 0, 0)


@pytest.fixture(params=["sqlite", "postgres"])
def migrating_app(request, tmp_path, monkeypatch):
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path))
    url = (
        f"sqlite:///{tmp_path}/m.db"
        if request.param == "sqlite"
        else t.create_postgres_database("imatter_lp17")
    )
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "ACCESS_LOG": False,
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgres":
        t.drop_postgres_database(url)


def _insert(conn, table_name: str, **given) -> None:
    """One row with every NOT NULL column without a server default filled (given values first)."""
    name = table_name
    table = sa.Table(name, sa.MetaData(), autoload_with=conn)
    row = dict(given)
    for c in table.columns:
        if c.name in row or c.nullable or c.server_default is not None:
            continue
        kind = c.type
        if isinstance(kind, sa.Boolean):
            row[c.name] = False
        elif isinstance(kind, sa.Integer):
            row[c.name] = 1
        elif isinstance(kind, sa.DateTime):
            row[c.name] = NOW
        elif isinstance(kind, sa.Date):
            row[c.name] = NOW.date()
        elif isinstance(kind, sa.JSON):
            row[c.name] = {}
        else:
            row[c.name] = f"{name[:4]}-{c.name}"[: getattr(kind, "length", None) or 32]
    conn.execute(table.insert().values(**row))


def test_0017_keeps_groups_and_credentials_and_downgrades(migrating_app):
    upgrade(revision="0016")
    with db.engine.begin() as conn:
        _insert(conn, "people", id="p1", name="Fictional Person", email="p1@example.org", kind="professional")
        _insert(conn, "organisations", id="o1")
        _insert(
            conn,
            "level_3a_groups",
            id="g1",
            organisation_id="o1",
            lead_person_id="p1",
            course_code="foundation_a1",
            audience="parents",
            participants_count=6,
        )
        _insert(conn, "certifications", id="c1", person_id="p1", role="lead", status="current")
        _insert(
            conn,
            "credentials",
            id="cr1",
            kind="certification",
            person_id="p1",
            certification_id="c1",
            status_list="1",
            status_index=7,
            issued_at=NOW,
        )
    upgrade()
    with db.engine.begin() as conn:
        group = conn.execute(sa.text("SELECT scope, licence_id FROM level_3a_groups WHERE id = 'g1'")).one()
        assert tuple(group) == ("everyday_parenting", None)
        cred = conn.execute(sa.text("SELECT kind, certification_id, licence_id FROM credentials")).one()
        assert tuple(cred) == ("certification", "c1", None)
        _insert(
            conn,
            "lp_licences",
            id="l1",
            person_id="p1",
            kind="level_3a",
            area="adults",
            scopes=[],
            status="current",
        )
        _insert(
            conn,
            "credentials",
            id="cr2",
            kind="licence",
            person_id="p1",
            licence_id="l1",
            status_index=8,
            issued_at=NOW,
        )
        # a group for children and young people (decision 0057) fits the widened audience column
        _insert(
            conn,
            "level_3a_groups",
            id="g2",
            organisation_id="o1",
            lead_person_id="p1",
            course_code="foundation_a1",
            audience="children_and_young_people",
            participants_count=12,
            licence_id="l1",
        )
    # the database holds one current licence of a kind and area per person, and a licence
    # credential always names its licence
    for table, row in (
        (
            "lp_licences",
            {
                "id": "l2",
                "person_id": "p1",
                "kind": "level_3a",
                "area": "adults",
                "scopes": [],
                "status": "current",
            },
        ),
        (
            "credentials",
            {"id": "cr3", "kind": "licence", "person_id": "p1", "status_index": 9, "issued_at": NOW},
        ),
        (
            "lp_licences",
            {
                "id": "l3",
                "person_id": "p1",
                "kind": "level_4",
                "area": "adults",
                "scopes": [],
                "status": "revoked",
            },
        ),
    ):
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            _insert(conn, table, **row)
    downgrade(revision="0016")
    with db.engine.connect() as conn:
        assert "lp_licences" not in sa.inspect(conn).get_table_names()
        assert [tuple(r) for r in conn.execute(sa.text("SELECT id, kind FROM credentials"))] == [
            ("cr1", "certification")
        ]
        assert "scope" not in {c["name"] for c in sa.inspect(conn).get_columns("level_3a_groups")}
        # the group for children and young people went with the licences; the older group stays
        groups = [tuple(r) for r in conn.execute(sa.text("SELECT id, audience FROM level_3a_groups"))]
        assert groups == [("g1", "parents")]
