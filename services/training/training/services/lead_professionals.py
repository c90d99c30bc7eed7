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

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from imatter_shared.web.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Membership, Person
from ..models.lead_professionals import (
    LeadProfessionalApplication,
    Level3AGroup,
    ObligationRecord,
    StudySupporterApplication,
    YearOverride,
)
from ..models.learning import Enrolment
from ..rules import trainee as rules
from ..rules.catalogue import FOUNDATION_COURSES
from . import directory
from ._util import iso, now, to_naive_utc

ACTIVE_STATES = ("trainee", "implementation", "approved")
STATES = ("applied", "declined") + ACTIVE_STATES
NEXT_STATE = {"trainee": "implementation", "implementation": "approved"}


def _completed(person_id: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Enrolment.course_code).where(
                Enrolment.person_id == person_id, Enrolment.state == "completed"
            )
        )
    )


def _active_member(person_id: str, organisation_id: str | None) -> bool:
    if not organisation_id:
        return False
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(
                Membership.person_id == person_id,
                Membership.organisation_id == organisation_id,
                Membership.status == "active",
            )
        )
    )


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
    unmet = rules.entry_unmet(data["route"], _completed(data["person_id"]), data["senior_leadership_backing"])
    if not _active_member(data["person_id"], data["organisation_id"]):
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
        records = _records(a)
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


def _records(a: LeadProfessionalApplication) -> dict[str, list[datetime]]:
    out: dict[str, list[datetime]] = defaultdict(list)
    for r in db.session.scalars(sa.select(ObligationRecord).where(ObligationRecord.application_id == a.id)):
        out[r.obligation].append(r.occurred_at)
    return out


def _fmt(dt: datetime) -> str:
    return dt.date().isoformat()


def _subscription(a: LeadProfessionalApplication, at: datetime) -> dict:
    from . import licences  # the organisation side

    title = rules.STANDING[1]["title"]
    if not a.organisation_id:
        return rules.standing("subscription_licence", title, False, "The application names no organisation.")
    if not _active_member(a.person_id, a.organisation_id):
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
    if not _active_member(a.person_id, a.organisation_id):
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
    done = [c for c in oc["any_of"] if c in _completed(a.person_id)]
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
    return rows + rules.obligations(start, at, _records(a))


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


def _years(a: LeadProfessionalApplication) -> dict:
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


def status_json(a: LeadProfessionalApplication) -> dict:
    """What the trainee's organisation sees (DOMAIN "Consent and identity": name, roles, pathway and
    certification status): the state and the years, nothing of references, interview or log book."""
    person = db.session.get(Person, a.person_id)
    return {
        "id": a.id,
        "person_id": a.person_id,
        "person_name": person.name if person else None,
        "organisation_id": a.organisation_id,
        "route": a.route,
        "state": a.state,
        **_years(a),
        "approved_at": iso(a.approved_at),
        "view": "status",
    }


def application_json(a: LeadProfessionalApplication) -> dict:
    """The whole record: for the person themself and training admins."""
    obs = obligations(a)
    pending = [o for o in obs if o["status"] not in ("done", "met")]
    pending.sort(key=lambda o: (o["status"] not in ("overdue", "unmet"), o["due_on"] or ""))
    cw = next((o for o in obs if o["code"] == "outstanding_coursework"), None)
    return {
        **status_json(a),
        "view": "full",
        "specialism": a.specialism,
        "references": a.references,
        "references_count": len(a.references),
        "senior_leadership_backing": a.senior_leadership_backing,
        "senior_leader": {"name": a.senior_leader_name, "role": a.senior_leader_role}
        if a.senior_leader_name or a.senior_leader_role
        else None,
        "interview_outcome": a.interview_outcome,
        "interview_at": iso(a.interview_at),
        "interview_by": a.interview_by,
        "interview_note": a.interview_note,
        "outstanding_coursework": cw,
        "overrides": overrides(a),
        "next_step_unmet": step_unmet(a) if a.state in NEXT_STATE else [],
        "obligations": obs,
        "next_due": pending[0] if pending else None,
        "created_at": iso(a.created_at),
    }


# ---- Level 3A groups ------------------------------------------------------------------------


def register_group(data: dict, user_id: str) -> Level3AGroup:
    lp = db.session.scalar(
        sa.select(LeadProfessionalApplication)
        .where(
            LeadProfessionalApplication.person_id == data["lead_person_id"],
            LeadProfessionalApplication.state.in_(ACTIVE_STATES),
        )
        .limit(1)
    )
    if lp is None:
        raise RuleViolation(
            "Level 3A groups are run by Lead Professionals (trainee or approved).",
            unmet=["lead_professional"],
        )
    if not _active_member(data["lead_person_id"], data["organisation_id"]):
        raise RuleViolation(
            "A Level 3A group is run in-house: the Lead Professional is an accepted member of "
            "the organisation.",
            unmet=["organisation_membership"],
        )
    g = Level3AGroup(
        organisation_id=data["organisation_id"],
        lead_person_id=data["lead_person_id"],
        course_code=data["course_code"],
        audience=data["audience"],
        starts_on=data["starts_on"],
        participants_count=data["participants_count"],
        created_by=user_id,
    )
    db.session.add(g)
    db.session.flush()
    # a registered Foundation A group counts towards "support at least 2 Foundation A courses a year"
    db.session.add(
        ObligationRecord(
            application_id=lp.id,
            obligation="foundation_a_courses",
            occurred_at=datetime.combine(g.starts_on, datetime.min.time()),
            note=f"Level 3A group {g.id}",
        )
    )
    return g


def groups_of(a: LeadProfessionalApplication) -> list[Level3AGroup]:
    return list(
        db.session.scalars(
            sa.select(Level3AGroup)
            .where(Level3AGroup.lead_person_id == a.person_id)
            .order_by(Level3AGroup.starts_on.desc(), Level3AGroup.id)
        )
    )


def group_json(g: Level3AGroup) -> dict:
    return {
        "id": g.id,
        "organisation_id": g.organisation_id,
        "lead_person_id": g.lead_person_id,
        "course_code": g.course_code,
        "audience": g.audience,
        "starts_on": g.starts_on.isoformat(),
        "participants_count": g.participants_count,
        "fee": 0,
        "currency": "GBP",
        "created_at": iso(g.created_at),
    }


# ---- volunteer study supporters -----------------------------------------------------------------


def apply_supporter(data: dict) -> StudySupporterApplication:
    if db.session.get(Person, data["person_id"]) is None:
        raise NotFound("No person with that id.")
    if not set(FOUNDATION_COURSES) <= _completed(data["person_id"]):
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


def supporter_json(s: StudySupporterApplication) -> dict:
    return {
        "id": s.id,
        "person_id": s.person_id,
        "state": s.state,
        "decided_at": iso(s.decided_at),
        "created_at": iso(s.created_at),
    }
