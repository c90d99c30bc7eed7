"""Study support series, sessions and bookings (decision 0060).

A host (a Lead Professional on the route, a certified Link practitioner, or an accepted Parent
Mentor in house only, decision 0058) schedules a series for their organisation, in house or (Lead
Professionals only) in partnership with I Matter Training; its
sessions are capped per series and its places per session. Learners book a place for themselves:
an in-house series is open to the organisation's accepted members, a partnership one to any learner.

Caps are enforced in the database: adding a session and booking a place each move a counter by a
guarded UPDATE (`... SET booked = booked + 1 WHERE booked < places`) under a CHECK constraint, so of
two requests for the last place exactly one wins; a refusal rolls back and leaves nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Certification, Person
from ..models.lead_professionals import LeadProfessionalApplication, Level3AGroup
from ..models.parent_mentors import ParentMentorApplication
from ..models.study_support import StudySupportBooking, StudySupportSeries, StudySupportSession
from ..rules import study_support as rules
from ..rules.catalogue import L1_2_COURSES
from .clock import now, to_naive_utc
from .obligations import ACTIVE_STATES, active_member


def get_series(series_id: str) -> StudySupportSeries:
    s = db.session.get(StudySupportSeries, series_id)
    if s is None:
        raise NotFound("No study support series with that id.")
    return s


def get_session(session_id: str) -> StudySupportSession:
    s = db.session.get(StudySupportSession, session_id)
    if s is None:
        raise NotFound("No study support session with that id.")
    return s


def get_booking(booking_id: str) -> StudySupportBooking:
    b = db.session.get(StudySupportBooking, booking_id)
    if b is None:
        raise NotFound("No booking with that id.")
    return b


def lead_application(person_id: str) -> LeadProfessionalApplication | None:
    """The person's Lead Professional place (trainee, implementation year or approved), if any."""
    return db.session.scalar(
        sa.select(LeadProfessionalApplication)
        .where(
            LeadProfessionalApplication.person_id == person_id,
            LeadProfessionalApplication.state.in_(ACTIVE_STATES),
        )
        .limit(1)
    )


def certified_roles(person_id: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Certification.role).where(
                Certification.person_id == person_id, Certification.status == "current"
            )
        )
    )


def is_parent_mentor(person_id: str) -> bool:
    """The person holds a Parent Mentor place: an accepted application (decision 0058)."""
    return (
        db.session.scalar(
            sa.select(ParentMentorApplication.id)
            .where(
                ParentMentorApplication.person_id == person_id, ParentMentorApplication.state == "accepted"
            )
            .limit(1)
        )
        is not None
    )


def host_unmet(person_id: str, organisation_id: str, delivery: str) -> list[str]:
    return rules.host_unmet(
        lead_application(person_id) is not None,
        certified_roles(person_id),
        active_member(person_id, organisation_id),
        delivery,
        parent_mentor=is_parent_mentor(person_id),
    )


def create_series(data: dict, user_id: str) -> StudySupportSeries:
    if db.session.get(Person, data["host_person_id"]) is None:
        raise NotFound("No person with that id.")
    if data["course_code"] not in L1_2_COURSES:
        raise InvalidInput("course_code", "Study support is for a Foundation or Intermediate course.")
    for name in rules.CAPS:
        if rules.over_ceiling(name, data.get(name)):
            raise InvalidInput(
                name,
                f"At most {rules.CAPS[name]['ceiling']}: study support is not unlimited.",
                detail="Over the cap.",
            )
    group_id = data.get("level_3a_group_id")
    if group_id:
        g = db.session.get(Level3AGroup, group_id)
        if g is None or g.organisation_id != data["organisation_id"] or g.course_code != data["course_code"]:
            raise InvalidInput("level_3a_group_id", "No Level 3A group of this organisation for this course.")
    unmet = host_unmet(data["host_person_id"], data["organisation_id"], data["delivery"])
    if unmet:
        raise RuleViolation(
            "Study support is hosted by a Lead Professional (trainee, implementation year or approved), "
            "a certified Link practitioner or (in house only) an accepted Parent Mentor, for an "
            "organisation they are an accepted member of; workshops in partnership with I Matter "
            "Training by Lead Professionals. Unmet: " + ", ".join(unmet) + ".",
            unmet=unmet,
        )
    s = StudySupportSeries(
        organisation_id=data["organisation_id"],
        host_person_id=data["host_person_id"],
        kind=data["kind"],
        delivery=data["delivery"],
        course_code=data["course_code"],
        title=data["title"],
        starts_on=data["starts_on"],
        level_3a_group_id=group_id,
        max_sessions=rules.cap("max_sessions", data.get("max_sessions")),
        places_per_session=rules.cap("places_per_session", data.get("places_per_session")),
        sessions_count=0,
        created_by=user_id,
    )
    db.session.add(s)
    db.session.flush()
    return s


def add_session(s: StudySupportSeries, data: dict) -> StudySupportSession:
    starts_at = to_naive_utc(data["starts_at"])
    if starts_at <= now():
        raise InvalidInput("starts_at", "A session is scheduled in the future.")
    if starts_at.date() < s.starts_on:
        raise InvalidInput("starts_at", "A session starts on or after its series' start.")
    if not data["online"] and not data.get("place"):
        raise InvalidInput("place", "Say where the session is held (or make it online).")
    places = data.get("places") or s.places_per_session
    if places > s.places_per_session:
        raise InvalidInput("places", f"At most {s.places_per_session} places a session in this series.")
    # the cap per series, held by the database: the counter moves only while under the cap
    moved = db.session.execute(
        sa.update(StudySupportSeries)
        .where(
            StudySupportSeries.id == s.id, StudySupportSeries.sessions_count < StudySupportSeries.max_sessions
        )
        .values(sessions_count=StudySupportSeries.sessions_count + 1)
        .returning(StudySupportSeries.sessions_count)
        .execution_options(synchronize_session=False)
    ).scalar()
    if moved is None:
        db.session.rollback()
        raise RuleViolation(
            f"This series has its {s.max_sessions} sessions: study support is not unlimited.",
            unmet=["series_cap"],
        )
    session = StudySupportSession(
        series_id=s.id,
        number=moved,
        starts_at=starts_at,
        duration_minutes=data["duration_minutes"],
        online=data["online"],
        place=data.get("place") if not data["online"] else data.get("place") or None,
        places=places,
        booked=0,
    )
    db.session.add(session)
    db.session.flush()
    db.session.refresh(s)
    return session


def sessions_of(s: StudySupportSeries) -> list[StudySupportSession]:
    return list(
        db.session.scalars(
            sa.select(StudySupportSession)
            .where(StudySupportSession.series_id == s.id)
            .order_by(StudySupportSession.number)
        )
    )


def open_to(s: StudySupportSeries, person_id: str | None) -> bool:
    """May this person book in the series? Partnership: any learner; in house: accepted members."""
    if person_id is None:
        return False
    return s.delivery == "partnership" or active_member(person_id, s.organisation_id)


def visible_series(
    person_id: str | None, org_ids: list[str], all_: bool, hosting: bool, page: int, per_page: int
):
    """The series a caller may see: all (training admins), else those they host, those of their
    organisations and every partnership series (`hosting`: only those they host); newest first."""
    q = sa.select(StudySupportSeries)
    if hosting:
        q = q.where(StudySupportSeries.host_person_id == (person_id or ""))
    elif not all_:
        conds = [StudySupportSeries.delivery == "partnership"]
        if person_id:
            conds.append(StudySupportSeries.host_person_id == person_id)
        if org_ids:
            conds.append(StudySupportSeries.organisation_id.in_(org_ids))
        q = q.where(sa.or_(*conds))
    return rows_page(
        db.session, q.order_by(StudySupportSeries.starts_on.desc(), StudySupportSeries.id), page, per_page
    )


def book(session: StudySupportSession, person_id: str, user_id: str) -> StudySupportBooking:
    s = db.session.get(StudySupportSeries, session.series_id)
    if person_id == s.host_person_id:
        raise RuleViolation("The host does not book a place in their own series.", unmet=["host"])
    if not open_to(s, person_id):
        raise RuleViolation(
            "This series is in house: it is open to the organisation's accepted members.",
            unmet=["organisation_membership"],
        )
    if session.delivered_at is not None or session.starts_at <= now():
        raise RuleViolation("The session has started: booking is closed.", unmet=["session_started"])
    if db.session.scalar(
        sa.select(StudySupportBooking.id).where(
            StudySupportBooking.session_id == session.id,
            StudySupportBooking.person_id == person_id,
            StudySupportBooking.state != "cancelled",
        )
    ):
        raise RuleViolation("You already have a place in this session.", unmet=["already_booked"])
    moved = db.session.execute(
        sa.update(StudySupportSession)
        .where(StudySupportSession.id == session.id, StudySupportSession.booked < StudySupportSession.places)
        .values(booked=StudySupportSession.booked + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.rollback()
        raise RuleViolation(f"The session's {session.places} places are taken.", unmet=["session_full"])
    b = StudySupportBooking(session_id=session.id, person_id=person_id, state="booked", booked_by=user_id)
    db.session.add(b)
    try:
        db.session.flush()  # one live booking per person and session (partial unique index)
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation("You already have a place in this session.", unmet=["already_booked"]) from None
    return b


def cancel(b: StudySupportBooking) -> StudySupportBooking:
    session = db.session.get(StudySupportSession, b.session_id)
    if session.delivered_at is not None or session.starts_at <= now():
        raise RuleViolation("The session has started: the booking stays.", unmet=["session_started"])
    done = db.session.execute(
        sa.update(StudySupportBooking)
        .where(StudySupportBooking.id == b.id, StudySupportBooking.state == "booked")
        .values(state="cancelled", cancelled_at=now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise RuleViolation("The booking is not live.", unmet=["booking_live"])
    db.session.execute(
        sa.update(StudySupportSession)
        .where(StudySupportSession.id == session.id)
        .values(booked=StudySupportSession.booked - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(b)
    return b


def bookings_of_session(session: StudySupportSession) -> list[StudySupportBooking]:
    return list(
        db.session.scalars(
            sa.select(StudySupportBooking)
            .where(StudySupportBooking.session_id == session.id)
            .order_by(StudySupportBooking.created_at, StudySupportBooking.id)
        )
    )


def ends_at(session: StudySupportSession):
    return session.starts_at + timedelta(minutes=session.duration_minutes)
