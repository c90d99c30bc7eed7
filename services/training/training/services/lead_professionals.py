"""The Lead Professional route: application (references, senior leadership backing, interview),
trainee year, implementation year, obligations; Level 3A groups; volunteer study supporters.

DOMAIN "Rulings" -> "Lead Professional route": the trainee year and the implementation year are
enforced by dates (a training admin may override, recording why); "have a current licence by
subscription" is checked against the trainee's organisation's active Starter Licence; a fast-track
entrant carries "outstanding coursework completed" (Intermediate A or B), which blocks approval.
Rows 71/72i: leaving the trainee year needs the log book kept (an entry in the year) and the action
plan outline agreed; overdue linked CPD blocks approval and keeps an approved Lead Professional out
of the directory listing while it is overdue."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Person
from ..models.lead_professionals import (
    LeadProfessionalApplication,
    YearOverride,
)
from ..rules import trainee as rules
from . import directory
from .clock import iso, now
from .obligations import (
    ACTIVE_STATES,
    active_member,
    completed_courses,
    obligations_at,
    records_of,
)

STATES = ("applied", "declined") + ACTIVE_STATES
NEXT_STATE = {"trainee": "implementation", "implementation": "approved"}


def get(application_id: str) -> LeadProfessionalApplication:
    a = db.session.get(LeadProfessionalApplication, application_id)
    if a is None:
        raise NotFound("No Lead Professional application with that id.")
    return a


def apply(data: dict, user_id: str) -> LeadProfessionalApplication:
    """The person applies for themself, from an organisation they are an accepted member of (seed
    001: Lead Professionals work with a registered school or service, with the backing of its senior
    leadership)."""
    if db.session.get(Person, data["person_id"]) is None:
        raise NotFound("No person with that id.")
    if len(data["references"]) < rules.MIN_REFERENCES:
        raise InvalidInput(
            "references", f"Give at least {rules.MIN_REFERENCES} references.", detail="References are needed."
        )
    unmet = rules.entry_unmet(
        data["route"], completed_courses(data["person_id"]), data["senior_leadership_backing"]
    )
    if not active_member(data["person_id"], data["organisation_id"]):
        unmet.append("organisation_membership")
    if unmet:
        raise RuleViolation(
            "Entry to the Lead Professional programme needs: " + ", ".join(unmet) + ".", unmet=unmet
        )
    open_one = db.session.scalar(
        sa.select(LeadProfessionalApplication.id)
        .where(
            LeadProfessionalApplication.person_id == data["person_id"],
            LeadProfessionalApplication.state.in_(("applied",) + ACTIVE_STATES),
        )
        .limit(1)
    )
    if open_one:
        raise RuleViolation(
            "This person already has an open application or place.", unmet=["one_application"]
        )
    leader = data.get("senior_leader") or {}
    a = LeadProfessionalApplication(
        person_id=data["person_id"],
        organisation_id=data["organisation_id"],
        route=data["route"],
        specialism=data.get("specialism"),
        references=data["references"],
        senior_leadership_backing=data["senior_leadership_backing"],
        senior_leader_name=leader.get("name"),
        senior_leader_role=leader.get("role"),
        state="applied",
        created_by=user_id,
    )
    db.session.add(a)
    db.session.flush()  # the partial unique index settles a race between two applications (409)
    return a


def applications_page(
    state: str | None, person_id: str | None, page: int, per_page: int
) -> tuple[list[LeadProfessionalApplication], int]:
    q = sa.select(LeadProfessionalApplication)
    if state:
        q = q.where(LeadProfessionalApplication.state == state)
    if person_id:
        q = q.where(LeadProfessionalApplication.person_id == person_id)
    return rows_page(
        db.session,
        q.order_by(LeadProfessionalApplication.created_at, LeadProfessionalApplication.id),
        page,
        per_page,
    )


def _move(a: LeadProfessionalApplication, from_state: str, values: dict, rule: str) -> None:
    """Guarded UPDATE: the step happens once even when two requests race; the loser gets a 409."""
    done = db.session.execute(
        sa.update(LeadProfessionalApplication)
        .where(LeadProfessionalApplication.id == a.id, LeadProfessionalApplication.state == from_state)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise RuleViolation(
            f"The application is no longer {from_state}: another request moved it first.", unmet=[rule]
        )
    db.session.refresh(a)
    directory.refresh_eligibility([a.person_id])  # the programme's states are listed (or not)


def interview(
    a: LeadProfessionalApplication, outcome: str, note: str | None, user_id: str
) -> LeadProfessionalApplication:
    """A training admin records the interview outcome: passed starts the trainee year today."""
    if a.state != "applied":
        raise RuleViolation(
            f"The application is {a.state}: the interview is already decided.", unmet=["application_open"]
        )
    at = now()
    values = {
        "interview_outcome": outcome,
        "interview_at": at,
        "interview_by": user_id,
        "interview_note": note,
        "state": "trainee" if outcome == "passed" else "declined",
    }
    if outcome == "passed":
        values["trainee_from"] = at
    _move(a, "applied", values, "application_open")
    return a


def _year_start(a: LeadProfessionalApplication) -> datetime | None:
    return (
        a.trainee_from
        if a.state == "trainee"
        else a.implementation_from
        if a.state == "implementation"
        else None
    )


def step_unmet(a: LeadProfessionalApplication, at: datetime | None = None) -> list[str]:
    """What stops the next step (trainee -> implementation, implementation -> approved), year rule
    first. [] when nothing does."""
    at = at or now()
    if a.state not in NEXT_STATE:
        return [f"application_{a.state}"]
    unmet = []
    if not rules.year_complete(_year_start(a), at):
        unmet.append(rules.YEAR_RULES[a.state])
    by_code = {o["code"]: o for o in obligations_at(a, at)}
    if a.state == "trainee":
        # counted over the trainee year itself (the yearly period rolls over when the year ends)
        start = datetime.combine(a.trainee_from.date(), datetime.min.time())
        until = rules.year_until(start)
        records = records_of(a)
        done = sum(1 for t in records.get("foundation_a_courses", []) if start <= t < until)
        if done < rules.OBLIGATIONS_BY_CODE["foundation_a_courses"]["target"]:
            unmet.append("foundation_a_courses")
        # rows 71/72i: the log book kept during the trainee year (at least one entry in it) and
        # the action plan outline agreed (recorded by a training admin) before the trainee year ends
        if not any(start <= t < until for t in records.get("log_book", [])):
            unmet.append("log_book")
        if not records.get("action_plan_outline"):
            unmet.append("action_plan_outline")
    else:
        if by_code["senior_leadership_backing"]["status"] != "met":
            unmet.append("senior_leadership_backing")
        if "outstanding_coursework" in by_code and by_code["outstanding_coursework"]["status"] != "met":
            unmet.append("outstanding_coursework")
        # row 72i: "take part in linked CPD to maintain the licence" - an overdue year blocks approval
        if by_code["linked_cpd"]["status"] == "overdue":
            unmet.append("linked_cpd")
    if by_code["subscription_licence"]["status"] != "met":
        unmet.append("subscription_licence")
    return unmet


UNMET_TEXT = {
    "trainee_year": "the trainee year (1 year of training) is not complete",
    "implementation_year": "the implementation year (1 year of practice) is not complete",
    "foundation_a_courses": "the trainee year needs at least 2 Foundation A courses supported",
    "senior_leadership_backing": "the support of senior leadership in the trainee's organisation",
    "outstanding_coursework": "the fast track's outstanding coursework (Intermediate A or B) is not completed",
    "subscription_licence": "a current licence by subscription (the organisation's active Starter Licence)",
    "log_book": "the personal log book needs at least one entry in the trainee year",
    "action_plan_outline": "the action plan outline is not yet agreed by I Matter Training",
    "linked_cpd": "linked CPD is overdue (it maintains the licence)",
}


def advance(
    a: LeadProfessionalApplication, override: bool, reason: str | None, principal
) -> LeadProfessionalApplication:
    """trainee -> implementation year -> approved, each once its year is complete by date. A training
    admin may end a year early with `override` and a `reason`; the override is kept on the record."""
    if a.state not in NEXT_STATE:
        raise RuleViolation(
            f"An application that is {a.state} cannot advance.", unmet=[f"application_{a.state}"]
        )
    at = now()
    unmet = step_unmet(a, at)
    year_rule = rules.YEAR_RULES[a.state]
    overridden = override and year_rule in unmet
    if overridden:
        unmet.remove(year_rule)
    if unmet:
        until = rules.year_until(_year_start(a))
        text = "; ".join(UNMET_TEXT.get(u, u) for u in unmet)
        extra = (
            (
                f" The {a.state} year runs until {until.date().isoformat()}; a training admin may override it "
                "with a reason."
            )
            if year_rule in unmet
            else ""
        )
        raise RuleViolation(f"Not yet: {text}.{extra}", unmet=unmet)
    from_state = a.state
    if overridden:
        db.session.add(
            YearOverride(
                application_id=a.id,
                rule=year_rule,
                year_until=rules.year_until(_year_start(a)),
                reason=reason,
                decided_by=principal.user_id,
                decided_by_name=(principal.name or principal.email or None),
                decided_at=at,
            )
        )
        db.session.flush()  # unique per application and year
    values = {"state": NEXT_STATE[from_state]}
    values["implementation_from" if from_state == "trainee" else "approved_at"] = at
    _move(a, from_state, values, "application_state")
    return a


def overrides(a: LeadProfessionalApplication) -> list[dict]:
    rows = db.session.scalars(
        sa.select(YearOverride).where(YearOverride.application_id == a.id).order_by(YearOverride.decided_at)
    ).all()
    return [
        {
            "rule": o.rule,
            "year_until": iso(o.year_until),
            "reason": o.reason,
            "decided_by": o.decided_by,
            "decided_by_name": o.decided_by_name,
            "decided_at": iso(o.decided_at),
        }
        for o in rows
    ]


def years(a: LeadProfessionalApplication) -> dict:
    """The trainee and implementation years begun so far: from, until, and complete by date."""
    years = {}
    at = now()
    if a.trainee_from:
        years["trainee_year"] = {
            "from": iso(a.trainee_from),
            "until": iso(rules.year_until(a.trainee_from)),
            "complete": rules.year_complete(a.trainee_from, at),
        }
    if a.implementation_from:
        years["implementation_year"] = {
            "from": iso(a.implementation_from),
            "until": iso(rules.year_until(a.implementation_from)),
            "complete": rules.year_complete(a.implementation_from, at),
        }
    return years
