"""Parent Mentors (seed 001; decision 0058): a parent who has completed the Foundation courses
applies with a motivation and references; a training admin records an interview and decides; the
person accepts (or turns down) an offered place. One open application or place per person, held by
a partial unique index (a racing second application is a 409, never two rows); every step is a
guarded UPDATE, so two racing requests move an application once."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Person
from ..models.parent_mentors import OPEN_STATES, ParentMentorApplication
from ..rules import parent_mentor as rules
from .clock import now
from .obligations import completed_courses

STATES = ("applied", "offered", "accepted", "declined", "turned_down")


def get(application_id: str) -> ParentMentorApplication:
    a = db.session.get(ParentMentorApplication, application_id)
    if a is None:
        raise NotFound("No Parent Mentor application with that id.")
    return a


def eligibility(person: Person) -> dict:
    required = rules.required_courses()
    done = completed_courses(person.id)
    return {
        "person_id": person.id,
        "eligible": not rules.entry_unmet(person.kind, done),
        "unmet": rules.entry_unmet(person.kind, done),
        "required_courses": [{"code": c, "completed": c in done} for c in required],
        "person_kinds": list(rules.ELIGIBILITY["person_kinds"]),
        "min_references": rules.ELIGIBILITY["min_references"],
        "open_application_id": db.session.scalar(_open_of(person.id)),
    }


def _open_of(person_id: str):
    return (
        sa.select(ParentMentorApplication.id)
        .where(ParentMentorApplication.person_id == person_id, ParentMentorApplication.state.in_(OPEN_STATES))
        .limit(1)
    )


def apply(person: Person, motivation: str, references: list[dict], user_id: str) -> ParentMentorApplication:
    if len(references) < rules.ELIGIBILITY["min_references"]:
        raise InvalidInput(
            "references",
            f"Give at least {rules.ELIGIBILITY['min_references']} references.",
            detail="References are needed.",
        )
    unmet = rules.entry_unmet(person.kind, completed_courses(person.id))
    if unmet:
        raise RuleViolation("A Parent Mentor application needs: " + ", ".join(unmet) + ".", unmet=unmet)
    if db.session.scalar(_open_of(person.id)):
        raise RuleViolation("You already have an open application or place.", unmet=["one_application"])
    a = ParentMentorApplication(
        person_id=person.id,
        motivation=motivation,
        references=references,
        state="applied",
        created_by=user_id,
    )
    db.session.add(a)
    db.session.flush()  # the partial unique index settles a race between two applications (409)
    return a


def applications_page(state: str | None, person_id: str | None, page: int, per_page: int):
    q = sa.select(ParentMentorApplication)
    if state:
        q = q.where(ParentMentorApplication.state == state)
    if person_id:
        q = q.where(ParentMentorApplication.person_id == person_id)
    return rows_page(
        db.session,
        q.order_by(ParentMentorApplication.created_at, ParentMentorApplication.id),
        page,
        per_page,
    )


def _move(a: ParentMentorApplication, where, values: dict, rule: str, text: str) -> ParentMentorApplication:
    """Guarded UPDATE: the step happens once even when two requests race; the loser gets a 409."""
    done = db.session.execute(
        sa.update(ParentMentorApplication)
        .where(ParentMentorApplication.id == a.id, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise RuleViolation(text, unmet=[rule])
    db.session.refresh(a)
    return a


def interview(
    a: ParentMentorApplication, outcome: str, note: str | None, user_id: str
) -> ParentMentorApplication:
    """A training admin records the interview (once), with a note the applicant sees."""
    if a.state != "applied" or a.interview_outcome is not None:
        raise RuleViolation(
            "The interview is already recorded or the application is closed.", unmet=["interview_open"]
        )
    return _move(
        a,
        (ParentMentorApplication.state == "applied", ParentMentorApplication.interview_outcome.is_(None)),
        {
            "interview_outcome": outcome,
            "interview_note": note,
            "interview_at": now(),
            "interview_by": user_id,
        },
        "interview_open",
        "Another request recorded the interview first: nothing was changed.",
    )


def decide(
    a: ParentMentorApplication, outcome: str, note: str | None, user_id: str
) -> ParentMentorApplication:
    """A training admin offers a place (after a passed interview) or declines the application."""
    if outcome == "offer":
        unmet = rules.offer_unmet(a.state, a.interview_outcome)
        if unmet:
            raise RuleViolation(
                "A place is offered after a passed interview, on an open application.", unmet=unmet
            )
    elif a.state != "applied":
        raise RuleViolation(
            f"The application is {a.state}: it is already decided.", unmet=["application_open"]
        )
    where = [ParentMentorApplication.state == "applied"]
    if outcome == "offer":
        where.append(ParentMentorApplication.interview_outcome == "passed")
    return _move(
        a,
        where,
        {
            "state": "offered" if outcome == "offer" else "declined",
            "decision_note": note,
            "decided_at": now(),
            "decided_by": user_id,
        },
        "application_open",
        "Another request decided the application first: nothing was changed.",
    )


def answer(a: ParentMentorApplication, accept: bool) -> ParentMentorApplication:
    """The person accepts the offered place (they hold the Parent Mentor role) or turns it down."""
    if a.state != "offered":
        raise RuleViolation(
            f"The application is {a.state}: there is no offer to answer.", unmet=["offer_open"]
        )
    return _move(
        a,
        (ParentMentorApplication.state == "offered",),
        {"state": "accepted" if accept else "turned_down", "answered_at": now()},
        "offer_open",
        "The offer was answered by another request first: nothing was changed.",
    )


def holds_place(person_id: str) -> ParentMentorApplication | None:
    """The person's accepted Parent Mentor place, if any (the role shown on their page)."""
    return db.session.scalar(
        sa.select(ParentMentorApplication).where(
            ParentMentorApplication.person_id == person_id, ParentMentorApplication.state == "accepted"
        )
    )
