"""Revision 0019 (decisions 0060, 0061) on SQLite and PostgreSQL: a study supporter application made
before it keeps its state with empty references and interview; the study support tables hold their
caps (a booking past the places and a session past the series' cap are refused by the database
itself); the downgrade to 0016 removes what it added."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from support import testing as t
from training import create_app
from training.extensions import db

NOW = datetime(2026, 11, 29, 10, 0)


@pytest.fixture(params=["sqlite", "postgres"])
def migrating_app(request, tmp_path, monkeypatch):
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path))
    url = (
        f"sqlite:///{tmp_path}/m.db"
        if request.param == "sqlite"
        else t.create_postgres_database("imatter_migr_ss")
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


def _insert(conn, table: str, **values):
    cols = ", ".join(values)
    conn.execute(
        sa.text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + k for k in values)})"), values
    )


def test_0019_keeps_supporter_applications_and_holds_the_caps_in_the_database(migrating_app):
    upgrade(revision="0016")
    with db.engine.begin() as conn:
        _insert(
            conn,
            "people",
            id="p1",
            name="Fictional Person",
            email="p1@example.org",
            kind="professional",
            created_at=NOW,
        )
        _insert(
            conn,
            "people",
            id="p2",
            name="Fictional Learner",
            email="p2@example.org",
            kind="personal",
            created_at=NOW,
        )
        _insert(
            conn,
            "study_supporter_applications",
            id="s1",
            person_id="p1",
            motivation="m",
            state="accepted",
            created_at=NOW,
        )
        _insert(
            conn,
            "organisations",
            id="o1",
            name="Fictional School",
            kind="school",
            size_band="small",
            link_contact_email="link@school.example",
            senior_leadership_commitment=True,
            created_by="u1",
            created_at=NOW,
        )
    upgrade()
    with db.engine.connect() as conn:
        row = conn.execute(
            sa.text('SELECT state, "references", interview_outcome FROM study_supporter_applications')
        ).one()
        assert tuple(row) == ("accepted", None, None)
    with db.engine.begin() as conn:
        _insert(
            conn,
            "study_support_series",
            id="r1",
            organisation_id="o1",
            host_person_id="p1",
            kind="study_support",
            delivery="in_house",
            course_code="foundation_a1",
            title="t",
            starts_on=date(2026, 12, 1),
            max_sessions=1,
            places_per_session=1,
            created_at=NOW,
        )
        _insert(
            conn,
            "study_support_sessions",
            id="x1",
            series_id="r1",
            number=1,
            starts_at=NOW,
            duration_minutes=90,
            online=True,
            places=1,
            created_at=NOW,
        )
        assert conn.execute(
            sa.text(
                "SELECT sessions_count, (SELECT booked FROM study_support_sessions) FROM study_support_series"
            )
        ).one() == (0, 0)
    for statement in (
        "UPDATE study_support_series SET sessions_count = 2",
        "UPDATE study_support_sessions SET booked = 2",
        "UPDATE study_support_sessions SET booked = -1",
    ):
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    downgrade(revision="0016")
    names = set(sa.inspect(db.engine).get_table_names())
    assert not names & {
        "study_support_series",
        "study_support_sessions",
        "study_support_bookings",
        "study_support_buddies",
    }
    cols = {c["name"] for c in sa.inspect(db.engine).get_columns("study_supporter_applications")}
    assert "references" not in cols and "interview_note" not in cols
