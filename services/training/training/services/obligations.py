"""A Lead Professional trainee's obligations (DOMAIN "Rulings" -> "Lead Professional route"):
the standing ones checked from the data (senior leadership backing, a current licence by
subscription, a fast track's outstanding coursework) and the recorded ones (log book, linked CPD,
Foundation A courses supported, the action plan outline), each with its status at a moment."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from imatter_shared.web.errors import Forbidden, NotFound, RuleViolation

from ..authz import is_active_member
from ..extensions import db
from ..models.lead_professionals import (
    LeadProfessionalApplication,
    ObligationRecord,
)
from ..models.learning import Enrolment
from ..rules import trainee as rules
from . import licences
from .clock import iso, now, to_naive_utc

# the application states from the trainee year on, in which obligations apply
ACTIVE_STATES = ("trainee", "implementation", "approved")


def completed_courses(person_id: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Enrolment.course_code).where(
                Enrolment.person_id == person_id, Enrolment.state == "completed"
            )
        )
    )


def active_member(person_id: str, organisation_id: str | None) -> bool:
    return bool(organisation_id) and is_active_member(organisation_id, person_id)


def records_of(a: LeadProfessionalApplication) -> dict[str, list[datetime]]:
    out: dict[str, list[datetime]] = defaultdict(list)
    for r in db.session.scalars(sa.select(ObligationRecord).where(ObligationRecord.application_id == a.id)):
        out[r.obligation].append(r.occurred_at)
    return out


def _fmt(dt: datetime) -> str:
    return dt.date().isoformat()


def _subscription(a: LeadProfessionalApplication, at: datetime) -> dict:
    title = rules.STANDING[1]["title"]
    if not a.organisation_id:
        return rules.standing("subscription_licence", title, False, "The application names no organisation.")
    if not active_member(a.person_id, a.organisation_id):
        return rules.standing(
            "subscription_licence",
            title,
            False,
            "The trainee is no longer an accepted member of the organisation.",
        )
    lic = licences.get(a.organisation_id, "starter")
    status = licences.status_of(lic, at)
    if status == "active":
        return rules.standing(
            "subscription_licence",
            title,
            True,
            f"The organisation's Starter Licence is active until {_fmt(lic.valid_until)}.",
            due_on=lic.valid_until,
        )
    reason = {
        "none": "The organisation holds no Starter Licence.",
        "cancelled": "The organisation's Starter Licence was cancelled (its invoice was voided).",
    }.get(
        status,
        f"The organisation's Starter Licence expired on {_fmt(lic.valid_until) if lic else ''}: renew it.",
    )
    return rules.standing("subscription_licence", title, False, reason)


def _backing(a: LeadProfessionalApplication) -> dict:
    title = rules.STANDING[0]["title"]
    if not a.senior_leadership_backing:
        return rules.standing(
            "senior_leadership_backing", title, False, "No senior leadership backing was declared."
        )
    if not active_member(a.person_id, a.organisation_id):
        return rules.standing(
            "senior_leadership_backing",
            title,
            False,
            "The trainee is no longer an accepted member of the organisation that backed them.",
        )
    who = ", ".join(x for x in (a.senior_leader_name, a.senior_leader_role) if x)
    return rules.standing(
        "senior_leadership_backing",
        title,
        True,
        "Backed by the organisation's senior leadership" + (f" ({who})." if who else "."),
    )


def _coursework(a: LeadProfessionalApplication) -> dict | None:
    if a.route != "fast_track":
        return None
    oc = rules.OUTSTANDING_COURSEWORK
    done = [c for c in oc["any_of"] if c in completed_courses(a.person_id)]
    return rules.standing(
        oc["code"],
        oc["title"],
        bool(done),
        f"Completed {done[0].replace('_', ' ').title()}."
        if done
        else "Fast track: Intermediate A or B is still to be completed; approval waits for it.",
    )


def obligations_at(a: LeadProfessionalApplication, at: datetime) -> list[dict]:
    """Every obligation (standing and recorded) with its status at `at`; datetimes, not strings."""
    if a.state not in ACTIVE_STATES:
        return []
    rows = [_backing(a), _subscription(a, at)]
    cw = _coursework(a)
    if cw:
        rows.append(cw)
    # periods run from the day the trainee year began (records may carry a date only)
    start = datetime.combine(a.trainee_from.date(), datetime.min.time())
    return rows + rules.obligations(start, at, records_of(a))


def obligations(a: LeadProfessionalApplication) -> list[dict]:
    rows = obligations_at(a, now())
    for r in rows:
        for k in ("period_start", "period_end", "due_on"):
            r[k] = iso(r[k])
        r["recorded_by"] = (
            list(rules.RECORDED_BY.get(r["code"], ("trainee", "training_admin")))
            if r["cadence"] != "standing"
            else []
        )
    return rows


def record(
    a: LeadProfessionalApplication, code: str, data: dict, user_id: str, as_role: str
) -> ObligationRecord:
    """One fulfilment. `as_role`: "trainee" (the person themself) or "training_admin"."""
    if code not in rules.ALL_CODES:
        raise NotFound("No obligation with that code.")
    if code not in rules.OBLIGATIONS_BY_CODE:
        raise RuleViolation(
            "This obligation is checked from the data, not recorded.", unmet=["recorded_obligation"]
        )
    if a.state not in ACTIVE_STATES:
        raise RuleViolation("Obligations are recorded from the trainee year on.", unmet=["trainee"])
    allowed = rules.RECORDED_BY.get(code, ("trainee", "training_admin"))
    if as_role not in allowed:
        raise Forbidden(
            "Log book entries are the trainee's own."
            if code == "log_book"
            else "An action plan outline counts once I Matter Training agrees it: a training admin "
            "records it."
        )
    when = to_naive_utc(data["occurred_at"]) if data.get("occurred_at") else now()
    r = ObligationRecord(
        application_id=a.id,
        obligation=code,
        occurred_at=when,
        note=data.get("note"),
        title=data.get("title"),
        recorded_by=user_id,
    )
    db.session.add(r)
    db.session.flush()
    return r


def log_book(a: LeadProfessionalApplication) -> list[dict]:
    rows = db.session.scalars(
        sa.select(ObligationRecord)
        .where(ObligationRecord.application_id == a.id, ObligationRecord.obligation == "log_book")
        .order_by(ObligationRecord.occurred_at.desc(), ObligationRecord.id)
    ).all()
    return [
        {
            "id": r.id,
            "occurred_at": iso(r.occurred_at),
            "title": r.title,
            "note": r.note,
            "created_at": iso(r.created_at),
        }
        for r in rows
    ]
