"""The Lead Professional route: application (references, senior leadership backing, interview),
trainee year, implementation year, obligations; Level 3A groups; volunteer study supporters."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from imatter_shared.web.errors import ApiError, NotFound, RuleViolation

from ..extensions import db
from ..models import Person
from ..models.learning import Enrolment
from ..models.lead_professionals import (LeadProfessionalApplication, Level3AGroup, ObligationRecord,
                                         StudySupporterApplication)
from ..rules import trainee as rules
from ..rules.catalogue import FOUNDATION_COURSES
from ..rules.licensing import add_months
from ._util import iso, now, to_naive_utc

ACTIVE_STATES = ("trainee", "implementation", "approved")
STATES = ("applied", "declined") + ACTIVE_STATES


def _completed(person_id: str) -> set[str]:
    return set(db.session.scalars(sa.select(Enrolment.course_code).where(
        Enrolment.person_id == person_id, Enrolment.state == "completed")))


def get(application_id: str) -> LeadProfessionalApplication:
    a = db.session.get(LeadProfessionalApplication, application_id)
    if a is None:
        raise NotFound("No Lead Professional application with that id.")
    return a


def apply(data: dict, user_id: str) -> LeadProfessionalApplication:
    if db.session.get(Person, data["person_id"]) is None:
        raise NotFound("No person with that id.")
    if len(data["references"]) < rules.MIN_REFERENCES:
        raise ApiError("References are needed.", 400,
                       errors={"references": [f"Give at least {rules.MIN_REFERENCES} references."]})
    unmet = rules.entry_unmet(data["route"], _completed(data["person_id"]), data["senior_leadership_backing"])
    if unmet:
        raise RuleViolation("Entry to the Lead Professional programme needs: " + ", ".join(unmet) + ".", unmet=unmet)
    open_one = db.session.scalar(sa.select(LeadProfessionalApplication.id).where(
        LeadProfessionalApplication.person_id == data["person_id"],
        LeadProfessionalApplication.state.in_(("applied",) + ACTIVE_STATES)).limit(1))
    if open_one:
        raise RuleViolation("This person already has an open application or place.", unmet=["one_application"])
    a = LeadProfessionalApplication(person_id=data["person_id"], organisation_id=data.get("organisation_id"),
                                    route=data["route"], specialism=data.get("specialism"),
                                    references=data["references"],
                                    senior_leadership_backing=data["senior_leadership_backing"],
                                    state="applied", created_by=user_id)
    db.session.add(a)
    db.session.flush()
    return a


def applications_page(state: str | None, person_id: str | None, page: int,
                      per_page: int) -> tuple[list[LeadProfessionalApplication], int]:
    q = sa.select(LeadProfessionalApplication)
    if state:
        q = q.where(LeadProfessionalApplication.state == state)
    if person_id:
        q = q.where(LeadProfessionalApplication.person_id == person_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(LeadProfessionalApplication.created_at, LeadProfessionalApplication.id)
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def interview(a: LeadProfessionalApplication, outcome: str) -> LeadProfessionalApplication:
    if a.state != "applied":
        raise RuleViolation(f"The application is {a.state}: the interview is already decided.",
                            unmet=["application_open"])
    a.interview_outcome, a.interview_at = outcome, now()
    if outcome == "passed":
        a.state, a.trainee_from = "trainee", now()
    else:
        a.state = "declined"
    return a


def advance(a: LeadProfessionalApplication) -> LeadProfessionalApplication:
    """trainee -> implementation year (needs 2 Foundation A courses supported) -> approved."""
    if a.state == "trainee":
        year = [o for o in obligations(a) if o["code"] == "foundation_a_courses"][0]
        if year["done"] < year["target"]:
            raise RuleViolation("The trainee year needs at least 2 Foundation A courses supported.",
                                unmet=["foundation_a_courses"])
        a.state, a.implementation_from = "implementation", now()
    elif a.state == "implementation":
        a.state, a.approved_at = "approved", now()
    else:
        raise RuleViolation(f"An application that is {a.state} cannot advance.", unmet=[f"application_{a.state}"])
    return a


def _records(a: LeadProfessionalApplication) -> dict[str, list[datetime]]:
    out: dict[str, list[datetime]] = defaultdict(list)
    for r in db.session.scalars(sa.select(ObligationRecord).where(ObligationRecord.application_id == a.id)):
        out[r.obligation].append(r.occurred_at)
    return out


def obligations(a: LeadProfessionalApplication) -> list[dict]:
    if a.state not in ACTIVE_STATES:
        return []
    # periods run from the day the trainee year began (records may carry a date only)
    start = datetime.combine(a.trainee_from.date(), datetime.min.time())
    rows = rules.obligations(start, now(), _records(a))
    for r in rows:
        for k in ("period_start", "period_end", "due_on"):
            r[k] = iso(r[k])
    return rows


def record(a: LeadProfessionalApplication, code: str, data: dict) -> ObligationRecord:
    if code not in rules.OBLIGATIONS_BY_CODE:
        raise NotFound("No obligation with that code.")
    if a.state not in ACTIVE_STATES:
        raise RuleViolation("Obligations are recorded from the trainee year on.", unmet=["trainee"])
    when = to_naive_utc(data["occurred_at"]) if data.get("occurred_at") else now()
    r = ObligationRecord(application_id=a.id, obligation=code, occurred_at=when, note=data.get("note"))
    db.session.add(r)
    db.session.flush()
    return r


def application_json(a: LeadProfessionalApplication) -> dict:
    years = {}
    if a.trainee_from:
        years["trainee_year"] = {"from": iso(a.trainee_from), "until": iso(add_months(a.trainee_from, 12))}
    if a.implementation_from:
        years["implementation_year"] = {"from": iso(a.implementation_from),
                                        "until": iso(add_months(a.implementation_from, 12))}
    obs = obligations(a)
    due = sorted((o for o in obs if o["status"] != "done"), key=lambda o: o["due_on"])
    return {"id": a.id, "person_id": a.person_id, "organisation_id": a.organisation_id, "route": a.route,
            "specialism": a.specialism, "references_count": len(a.references),
            "senior_leadership_backing": a.senior_leadership_backing, "state": a.state,
            "interview_outcome": a.interview_outcome, "interview_at": iso(a.interview_at), **years,
            "approved_at": iso(a.approved_at), "obligations": obs,
            "next_due": due[0] if due else None, "created_at": iso(a.created_at)}


# ---- Level 3A groups ------------------------------------------------------------------------

def register_group(data: dict, user_id: str) -> Level3AGroup:
    lp = db.session.scalar(sa.select(LeadProfessionalApplication).where(
        LeadProfessionalApplication.person_id == data["lead_person_id"],
        LeadProfessionalApplication.state.in_(ACTIVE_STATES)).limit(1))
    if lp is None:
        raise RuleViolation("Level 3A groups are run by Lead Professionals (trainee or approved).",
                            unmet=["lead_professional"])
    g = Level3AGroup(organisation_id=data["organisation_id"], lead_person_id=data["lead_person_id"],
                     course_code=data["course_code"], audience=data["audience"], starts_on=data["starts_on"],
                     participants_count=data["participants_count"], created_by=user_id)
    db.session.add(g)
    db.session.flush()
    # a registered Foundation A group counts towards "support at least 2 Foundation A courses a year"
    db.session.add(ObligationRecord(application_id=lp.id, obligation="foundation_a_courses",
                                    occurred_at=datetime.combine(g.starts_on, datetime.min.time()),
                                    note=f"Level 3A group {g.id}"))
    return g


def group_json(g: Level3AGroup) -> dict:
    return {"id": g.id, "organisation_id": g.organisation_id, "lead_person_id": g.lead_person_id,
            "course_code": g.course_code, "audience": g.audience, "starts_on": g.starts_on.isoformat(),
            "participants_count": g.participants_count, "fee": 0, "currency": "GBP",
            "created_at": iso(g.created_at)}


# ---- volunteer study supporters -----------------------------------------------------------------

def apply_supporter(data: dict) -> StudySupporterApplication:
    if db.session.get(Person, data["person_id"]) is None:
        raise NotFound("No person with that id.")
    if not set(FOUNDATION_COURSES) <= _completed(data["person_id"]):
        raise RuleViolation("Volunteer study supporters have completed the Foundation courses.",
                            unmet=["foundation_completion"])
    s = StudySupporterApplication(person_id=data["person_id"], motivation=data["motivation"], state="applied")
    db.session.add(s)
    db.session.flush()
    return s


def decide_supporter(s: StudySupporterApplication, outcome: str) -> StudySupporterApplication:
    if s.state != "applied":
        raise RuleViolation(f"The application is already {s.state}.", unmet=["application_open"])
    s.state, s.decided_at = outcome, now()
    return s


def supporter_json(s: StudySupporterApplication) -> dict:
    return {"id": s.id, "person_id": s.person_id, "state": s.state, "decided_at": iso(s.decided_at),
            "created_at": iso(s.created_at)}
