"""Volunteer study supporters: people who completed the Foundation courses apply; a training admin
decides."""

from __future__ import annotations

from imatter_shared.web.errors import NotFound, RuleViolation

from ..extensions import db
from ..models import Person
from ..models.lead_professionals import (
    StudySupporterApplication,
)
from ..rules.catalogue import FOUNDATION_COURSES
from .clock import now
from .obligations import completed_courses


def apply_supporter(data: dict) -> StudySupporterApplication:
    if db.session.get(Person, data["person_id"]) is None:
        raise NotFound("No person with that id.")
    if not set(FOUNDATION_COURSES) <= completed_courses(data["person_id"]):
        raise RuleViolation(
            "Volunteer study supporters have completed the Foundation courses.",
            unmet=["foundation_completion"],
        )
    s = StudySupporterApplication(person_id=data["person_id"], motivation=data["motivation"], state="applied")
    db.session.add(s)
    db.session.flush()
    return s


def decide_supporter(s: StudySupporterApplication, outcome: str) -> StudySupporterApplication:
    if s.state != "applied":
        raise RuleViolation(f"The application is already {s.state}.", unmet=["application_open"])
    s.state, s.decided_at = outcome, now()
    return s
