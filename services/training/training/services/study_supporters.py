"""Volunteer study supporters (seed 001; decision 0061): people who completed the Foundation courses
apply with at least 2 references; a training admin records the interview (outcome and a note the
applicant sees) and then decides; acceptance needs the interview passed and the study supporters
preparation course completed. An accepted supporter may be assigned as a buddy to a study-support
series (services/study_support_records.py)."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Person
from ..models.lead_professionals import (
    StudySupporterApplication,
)
from ..rules.catalogue import FOUNDATION_COURSES
from ..rules.study_support import SUPPORTER
from .clock import now
from .obligations import completed_courses


def get(application_id: str) -> StudySupporterApplication:
    s = db.session.get(StudySupporterApplication, application_id)
    if s is None:
        raise NotFound("No study supporter application with that id.")
    return s


def apply_supporter(data: dict) -> StudySupporterApplication:
    if db.session.get(Person, data["person_id"]) is None:
        raise NotFound("No person with that id.")
    if not set(FOUNDATION_COURSES) <= completed_courses(data["person_id"]):
        raise RuleViolation(
            "Volunteer study supporters have completed the Foundation courses.",
            unmet=["foundation_completion"],
        )
    refs = data.get("references") or []
    if len(refs) < SUPPORTER["min_references"]:
        raise InvalidInput(
            "references",
            f"Give at least {SUPPORTER['min_references']} references.",
            detail="References are needed.",
        )
    if db.session.scalar(
        sa.select(StudySupporterApplication.id).where(
            StudySupporterApplication.person_id == data["person_id"],
            StudySupporterApplication.state.in_(("applied", "interviewed", "accepted")),
        )
    ):
        raise RuleViolation(
            "This person already has an open application or place.", unmet=["one_application"]
        )
    s = StudySupporterApplication(
        person_id=data["person_id"], motivation=data["motivation"], references=refs, state="applied"
    )
    db.session.add(s)
    try:
        db.session.flush()
    except (
        sa.exc.IntegrityError
    ):  # a simultaneous application won (uq_study_supporter_applications_open_person)
        db.session.rollback()
        raise RuleViolation(
            "This person already has an open application or place.", unmet=["one_application"]
        ) from None
    return s


def _move(s: StudySupporterApplication, from_states: tuple, values: dict) -> None:
    done = db.session.execute(
        sa.update(StudySupporterApplication)
        .where(StudySupporterApplication.id == s.id, StudySupporterApplication.state.in_(from_states))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise RuleViolation("Another request moved the application first.", unmet=["application_open"])
    db.session.refresh(s)


def interview(s: StudySupporterApplication, outcome: str, note: str | None, user_id: str):
    if s.state != "applied":
        raise RuleViolation(
            f"The application is {s.state}: the interview is already recorded.", unmet=["application_open"]
        )
    values = {
        "interview_outcome": outcome,
        "interview_note": note,
        "interview_at": now(),
        "interview_by": user_id,
        "state": "interviewed" if outcome == "passed" else "declined",
    }
    if outcome == "failed":
        values.update(decided_at=values["interview_at"], decided_by=user_id)
    _move(s, ("applied",), values)
    return s


def decision_unmet(s: StudySupporterApplication) -> list[str]:
    """What stops acceptance: [] when nothing does."""
    if s.state in ("accepted", "declined"):
        return ["application_open"]
    unmet = []
    if s.state != "interviewed" or s.interview_outcome != "passed":
        unmet.append("interview_passed")
    if SUPPORTER["preparation_course"] not in completed_courses(s.person_id):
        unmet.append("preparation_course")
    return unmet


def decide_supporter(s: StudySupporterApplication, outcome: str, user_id: str | None = None):
    if s.state not in ("applied", "interviewed"):
        raise RuleViolation(f"The application is already {s.state}.", unmet=["application_open"])
    if outcome == "accepted":
        unmet = decision_unmet(s)
        if unmet:
            raise RuleViolation(
                "A volunteer study supporter is accepted after a passed interview and the study "
                "supporters preparation course. Unmet: " + ", ".join(unmet) + ".",
                unmet=unmet,
            )
    _move(s, ("applied", "interviewed"), {"state": outcome, "decided_at": now(), "decided_by": user_id})
    return s


def of_person(person_id: str) -> list[StudySupporterApplication]:
    return list(
        db.session.scalars(
            sa.select(StudySupporterApplication)
            .where(StudySupporterApplication.person_id == person_id)
            .order_by(StudySupporterApplication.created_at, StudySupporterApplication.id)
        )
    )


def page_all(state: str | None, person_id: str | None, page: int, per_page: int):
    q = sa.select(StudySupporterApplication)
    if person_id:
        q = q.where(StudySupporterApplication.person_id == person_id)
    if state:
        q = q.where(StudySupporterApplication.state == state)
    return rows_page(
        db.session,
        q.order_by(StudySupporterApplication.created_at, StudySupporterApplication.id),
        page,
        per_page,
    )
