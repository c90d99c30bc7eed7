"""Revision 0011 (decision 0036) makes `directory_counters` and backfills the "listed" total from the
entries already there, on SQLite and PostgreSQL: upgraded from an empty database and from 0010
with entries in every state, and downgraded back to 0010."""

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from support import testing as t
from training import create_app
from training.extensions import db

PEOPLE = sa.table(
    "people",
    sa.column("id", sa.String),
    sa.column("name", sa.String),
    sa.column("email", sa.String),
    sa.column("kind", sa.String),
    sa.column("created_at", sa.DateTime),
)
ENTRIES = sa.table(
    "directory_entries",
    sa.column("id", sa.String),
    sa.column("person_id", sa.String),
    sa.column("display_name", sa.String),
    sa.column("opted_in", sa.Boolean),
    sa.column("eligible", sa.Boolean),
    sa.column("created_at", sa.DateTime),
)


@pytest.fixture(params=["sqlite", "postgres"])
def migrating_app(request, tmp_path, monkeypatch):
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/m.db"
    else:
        url = t.create_postgres_database("imatter_migr")
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


def _counter(conn):
    return conn.execute(sa.text("SELECT scope, n FROM directory_counters")).all()


def _word_statistics() -> list[str]:
    """PostgreSQL's statistics on the search's expressions (none on SQLite)."""
    if db.engine.dialect.name != "postgresql":
        return []
    with db.engine.connect() as conn:
        return list(conn.scalars(sa.text("SELECT stxname FROM pg_statistic_ext ORDER BY stxname")))


def test_0011_from_an_empty_database_starts_the_count_at_zero(migrating_app):
    upgrade()
    with db.engine.connect() as conn:
        assert [tuple(r) for r in _counter(conn)] == [("listed", 0)]
    words = ["st_directory_entries_words"] if db.engine.dialect.name == "postgresql" else []
    assert _word_statistics() == words


def test_0011_from_0010_backfills_the_listed_total_and_downgrades(migrating_app):
    upgrade(revision="0010")
    now = datetime(2026, 11, 29)
    states = [(True, True)] * 3 + [(True, False)] * 2 + [(False, True)] * 2 + [(False, False)]
    with db.engine.begin() as conn:
        for i, (opted_in, eligible) in enumerate(states):
            pid = uuid.uuid4().hex
            conn.execute(
                PEOPLE.insert().values(
                    id=pid,
                    name=f"Fictional Migrant {i}",
                    email=f"m{i}@example.org",
                    kind="professional",
                    created_at=now,
                )
            )
            conn.execute(
                ENTRIES.insert().values(
                    id=uuid.uuid4().hex,
                    person_id=pid,
                    display_name=f"Fictional Migrant {i}",
                    opted_in=opted_in,
                    eligible=eligible,
                    created_at=now,
                )
            )
    upgrade(revision="0011")
    with db.engine.connect() as conn:
        assert [tuple(r) for r in _counter(conn)] == [("listed", 3)]
    downgrade(revision="0010")
    assert "directory_counters" not in sa.inspect(db.engine).get_table_names()
    assert _word_statistics() == []
    upgrade()
    with db.engine.connect() as conn:
        assert [tuple(r) for r in _counter(conn)] == [("listed", 3)]
