"""Attendance and what it counts for (decision 0060), a learner's bookings, and volunteer study
supporters assigned as buddies to a series (decision 0061).

The host (or a training admin) records attendance once the session has started, once: the named
learners `attended`, the other live bookings `absent`. When the host is on the Lead Professional
route, the delivered session is written into their log book (an ObligationRecord `log_book`, about
the session, never about a learner) and the series' first delivered session counts once towards
"support at least 2 Foundation A courses a year" (`foundation_a_courses`) when the series is for
Foundation A and its Level 3A group (if any) did not already count."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, RuleViolation

from ..extensions import db
from ..models import Person
from ..models.lead_professionals import ObligationRecord, StudySupporterApplication
from ..models.study_support import (
    StudySupportBooking,
    StudySupportBuddy,
    StudySupportSeries,
    StudySupportSession,
)
from ..rules import study_support as rules
from .clock import now
from .study_support import bookings_of_session, lead_application

KIND_TITLES = {"study_support": "Study support session", "workshop": "Supported learning workshop"}


def record_attendance(session: StudySupportSession, attended: list[str], user_id: str) -> list[dict]:
    """Returns the obligations recorded for the host: [{"obligation", "id"}]."""
    at = now()
    if session.starts_at > at:
        raise RuleViolation(
            "Attendance is recorded once the session has started.", unmet=["session_not_started"]
        )
    if session.delivered_at is not None:
        raise RuleViolation("Attendance for this session is already recorded.", unmet=["attendance_recorded"])
    live = {b.person_id: b for b in bookings_of_session(session) if b.state == "booked"}
    unknown = sorted(set(attended) - set(live))
    if unknown:
        raise InvalidInput("attended", "Only learners with a place in this session: " + ", ".join(unknown))
    done = db.session.execute(
        sa.update(StudySupportSession)
        .where(StudySupportSession.id == session.id, StudySupportSession.delivered_at.is_(None))
        .values(delivered_at=at, delivered_by=user_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise RuleViolation("Attendance for this session is already recorded.", unmet=["attendance_recorded"])
    for person_id, b in live.items():
        b.state = "attended" if person_id in attended else "absent"
    db.session.flush()
    db.session.refresh(session)
    return _count_for_host(session, len(attended), len(live), user_id)


def _count_for_host(session: StudySupportSession, came: int, booked: int, user_id: str) -> list[dict]:
    s = db.session.get(StudySupportSeries, session.series_id)
    lp = lead_application(s.host_person_id)
    if lp is None:
        return []
    out = []
    entry = ObligationRecord(
        application_id=lp.id,
        obligation="log_book",
        occurred_at=session.starts_at,
        title=f"{KIND_TITLES[s.kind]} {session.number} delivered: {s.title}"[:200],
        note=f"{s.course_code.replace('_', ' ').title()}, {came} of {booked} booked learners attended "
        f"(series {s.id}).",
        recorded_by=user_id,
    )
    db.session.add(entry)
    db.session.flush()
    out.append({"obligation": "log_book", "id": entry.id})
    if s.course_code in rules.FOUNDATION_A_COURSES and s.level_3a_group_id is None:
        first = db.session.execute(
            sa.update(StudySupportSeries)
            .where(StudySupportSeries.id == s.id, StudySupportSeries.counted_at.is_(None))
            .values(counted_at=session.starts_at)
            .execution_options(synchronize_session=False)
        ).rowcount
        if first == 1:
            r = ObligationRecord(
                application_id=lp.id,
                obligation="foundation_a_courses",
                occurred_at=datetime.combine(s.starts_on, datetime.min.time()),
                note=f"Study support series {s.id}",
                recorded_by=user_id,
            )
            db.session.add(r)
            db.session.flush()
            out.append({"obligation": "foundation_a_courses", "id": r.id})
    return out


def bookings_of_person(person_id: str) -> list[dict]:
    """A learner's bookings with their session and series, soonest last."""
    rows = db.session.execute(
        sa.select(StudySupportBooking, StudySupportSession, StudySupportSeries)
        .join(StudySupportSession, StudySupportSession.id == StudySupportBooking.session_id)
        .join(StudySupportSeries, StudySupportSeries.id == StudySupportSession.series_id)
        .where(StudySupportBooking.person_id == person_id)
        .order_by(StudySupportSession.starts_at.desc(), StudySupportBooking.id)
    ).all()
    return [
        {
            "id": b.id,
            "state": b.state,
            "session_id": se.id,
            "series_id": sr.id,
            "series_title": sr.title,
            "kind": sr.kind,
            "course_code": sr.course_code,
            "number": se.number,
            "starts_at": se.starts_at,
            "duration_minutes": se.duration_minutes,
            "online": se.online,
            "place": se.place,
            "created_at": b.created_at,
        }
        for b, se, sr in rows
    ]


def assign_buddy(s: StudySupportSeries, supporter_application_id: str, user_id: str) -> StudySupportBuddy:
    a = db.session.get(StudySupporterApplication, supporter_application_id)
    if a is None:
        raise InvalidInput("supporter_application_id", "No study supporter application with that id.")
    if a.state != "accepted":
        raise RuleViolation(
            "Only an accepted volunteer study supporter is assigned as a buddy.", unmet=["supporter_accepted"]
        )
    if a.person_id == s.host_person_id:
        raise RuleViolation("The host is not their own series' buddy.", unmet=["host"])
    if db.session.scalar(
        sa.select(StudySupportBuddy.id).where(
            StudySupportBuddy.series_id == s.id, StudySupportBuddy.supporter_application_id == a.id
        )
    ):
        raise RuleViolation("This supporter is already this series' buddy.", unmet=["already_assigned"])
    b = StudySupportBuddy(series_id=s.id, supporter_application_id=a.id, assigned_by=user_id)
    db.session.add(b)
    db.session.flush()
    return b


def buddies_of_series(s: StudySupportSeries) -> list[dict]:
    rows = db.session.execute(
        sa.select(StudySupportBuddy, StudySupporterApplication, Person)
        .join(
            StudySupporterApplication,
            StudySupporterApplication.id == StudySupportBuddy.supporter_application_id,
        )
        .join(Person, Person.id == StudySupporterApplication.person_id)
        .where(StudySupportBuddy.series_id == s.id)
        .order_by(StudySupportBuddy.created_at, StudySupportBuddy.id)
    ).all()
    return [
        {
            "id": b.id,
            "supporter_application_id": a.id,
            "person_id": p.id,
            "person_name": p.name,
            "assigned_at": b.created_at,
        }
        for b, a, p in rows
    ]


def series_buddied_by(a: StudySupporterApplication) -> list[dict]:
    rows = db.session.execute(
        sa.select(StudySupportBuddy, StudySupportSeries)
        .join(StudySupportSeries, StudySupportSeries.id == StudySupportBuddy.series_id)
        .where(StudySupportBuddy.supporter_application_id == a.id)
        .order_by(StudySupportSeries.starts_on.desc(), StudySupportSeries.id)
    ).all()
    return [
        {
            "series_id": s.id,
            "title": s.title,
            "course_code": s.course_code,
            "starts_on": s.starts_on,
            "organisation_id": s.organisation_id,
            "assigned_at": b.created_at,
        }
        for b, s in rows
    ]


def release_places_for_erasure(conn, subject, on_row=None) -> None:
    """Before `flask dp erase` deletes a person's bookings: each live booking ("booked") gives its
    place back (the session's `booked` counter), as a cancellation would, so an erased learner
    does not hold a place in a session to come."""
    ids = sorted(subject.person_ids)
    if not ids:
        return
    b, s = StudySupportBooking.__table__, StudySupportSession.__table__
    live = conn.execute(
        sa.select(b.c.id, b.c.session_id).where(b.c.person_id.in_(ids), b.c.state == "booked")
    ).all()
    for _booking_id, session_id in live:
        conn.execute(sa.update(s).where(s.c.id == session_id, s.c.booked > 0).values(booked=s.c.booked - 1))
        if on_row:
            on_row("place released", s.name, session_id)
