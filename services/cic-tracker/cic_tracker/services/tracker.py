"""The Progress Tracker: microproject workspaces, cases, credits, completion, retention."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from imatter_shared.web.errors import ApiError, NotFound, RuleViolation
from imatter_shared.web.auth import log_refusal

from ..authz import Caller, caller, is_certified, visible_microproject
from ..extensions import db
from ..models import Area, Assessment, Case, Goal, Hub, Microproject, OrgLicence, Reflection
from ..rules import tracker as rules
from ..rules.areas import SAMPLE_AREAS
from ..rules.packages import PACKAGE_RULES, rule_for
from .common import emit, iso, naive_utc, now

# cases that still count as part of the microproject (a withdrawn case leaves it)
COUNTED = ("open", "closed", "erased")


# ---- workspaces ----------------------------------------------------------------------------

def open_workspace(data: dict) -> Microproject | None:
    """From training.package.purchased: one microproject per package (idempotent)."""
    existing = db.session.scalar(sa.select(Microproject).where(Microproject.package_id == data["package_id"]))
    if existing is not None:
        return existing
    problem = package_problem(data)
    if problem:
        from imatter_shared.messaging.consumer import Reject
        raise Reject(f"training.package.purchased refused: {problem}")
    mp = Microproject(package_id=data["package_id"], package_type=data["package_type"],
                      organisation_id=data["organisation_id"], practitioner_id=data["practitioner_id"],
                      tracker_credits=data["tracker_uses"], credits_used=0, cases_count=0,
                      online_accounts=data.get("online_accounts", 0), state="open")
    db.session.add(mp)
    return mp


def package_problem(data: dict) -> str | None:
    """Why a `training.package.purchased` event cannot be applied (security L13), or None.
    Its quantities must be what the package type holds, as training published it
    (`training.package_types.published`): a forged Type 3 with no Tracker uses would complete a
    practicum without measures, an inflated one would hand out credits."""
    from .package_types import package_type
    if data.get("package_type") not in PACKAGE_RULES:
        return "unknown package type"
    known = package_type(data.get("package_type"))
    if known is None:
        return "package type not published by training yet (replay after training.package_types.published)"
    uses, accounts = data.get("tracker_uses"), data.get("online_accounts", 0)
    if known.tracker_uses == 0 and uses != 0:
        return f"type {known.type} carries no Tracker uses"
    if known.tracker_uses and not 1 <= uses <= known.tracker_uses:
        return f"type {known.type} carries 1-{known.tracker_uses} Tracker uses"
    if not 0 <= accounts <= known.online_accounts:
        return f"type {known.type} carries at most {known.online_accounts} online accounts"
    return None


def close_cancelled(package_id: str) -> Microproject | None:
    """From training.package.cancelled (its invoice was voided before any use): the microproject
    is closed for good (state `cancelled`), so no case, assessment or set-up is possible."""
    mp = db.session.scalar(sa.select(Microproject).where(Microproject.package_id == package_id))
    if mp is not None and mp.state != "cancelled":
        mp.state = "cancelled"
        mp.tracker_credits = mp.credits_used  # nothing left to use
    return mp


def microproject_view(mp: Microproject) -> dict:
    rule = rule_for(mp.package_type)
    return {
        "id": mp.id, "package_id": mp.package_id, "package_type": mp.package_type,
        "organisation_id": mp.organisation_id, "practitioner_id": mp.practitioner_id,
        "hub_id": mp.hub_id, "state": mp.state,
        "tracker_credits": mp.tracker_credits, "credits_used": mp.credits_used, "credits_left": mp.credits_left,
        "needs_setup": rule.needs_setup, "setup_done": mp.setup_done_at is not None,
        "setup_done_at": iso(mp.setup_done_at),
        "overseer_role_required": rule.overseer_role, "overseer_person_id": mp.overseer_person_id,
        "cases_count": mp.cases_count, "max_cases": rules.MAX_CASES,
        "completed_at": iso(mp.completed_at), "created_at": iso(mp.created_at),
    }


def list_stmt(c: Caller):
    stmt = sa.select(Microproject).order_by(Microproject.created_at.desc(), Microproject.id)
    if c.is_cic_staff:
        return stmt
    return stmt.where(sa.or_(
        Microproject.practitioner_id.in_(c.person_ids or {""}),
        Microproject.organisation_id.in_(c.overseen_org_ids or {""}),
        Microproject.overseer_person_id.in_(c.person_ids or {""}),
    ))


def set_up(mp: Microproject) -> Microproject:
    if mp.state != "open":
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    if mp.setup_done_at is None:
        mp.setup_done_at = now()
    return mp


def assign_overseer(mp: Microproject, person_id: str) -> Microproject:
    rule = rule_for(mp.package_type)
    role = rule.overseer_role or "lead_plus"
    if person_id == mp.practitioner_id:
        raise RuleViolation("The overseer must be someone other than the practitioner.", unmet=["lead_plus_oversight"])
    if not is_certified(person_id, role):
        raise RuleViolation("The overseer must be a certified Lead Plus practitioner.", unmet=["lead_plus_oversight"])
    mp.overseer_person_id = person_id
    return mp


def set_hub(mp: Microproject, hub_id: str | None) -> Microproject:
    if hub_id is not None and db.session.get(Hub, hub_id) is None:
        raise ApiError("Unknown hub.", 400, errors={"hub_id": ["No hub with that id."]})
    mp.hub_id = hub_id
    return mp


def _take_case_slot(mp: Microproject) -> bool:
    """Claim one of the microproject's case slots with a guarded UPDATE (security L9): it
    serialises on PostgreSQL (row lock) and on SQLite (one writer), so concurrent openings can
    never pass 3 cases, and the loser gets a 409, not a 500."""
    taken = db.session.execute(
        sa.update(Microproject).where(Microproject.id == mp.id, Microproject.state == "open",
                                      Microproject.cases_count < rules.MAX_CASES)
        .values(cases_count=Microproject.cases_count + 1)).rowcount
    db.session.refresh(mp)
    return bool(taken)


def _progressed(mp: Microproject) -> None:
    """Counts only, so training can derive stage 5 (a microproject with 1-3 cases under way)."""
    db.session.flush()
    emit("cic.microproject.progressed", {"package_id": mp.package_id, "organisation_id": mp.organisation_id,
                                         "cases_count": mp.cases_count, "state": mp.state})


# ---- cases ---------------------------------------------------------------------------------

def visible_case(case_id: str, content: bool = True) -> tuple[Caller, Microproject, Case]:
    """The case if the caller may reach it; else 404 (logged). `content` (the default): its
    code, consent, scores, notes, goals and reflections, which only the practitioner and the
    assigned overseer reach (DOMAIN "Rulings" -> CIC). Without `content`, whoever sees the
    microproject's overview."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("No case with that id.")
    c = caller()
    mp = db.session.get(Microproject, case.microproject_id)
    if not (c.can_read_cases(mp) if content else c.can_see(mp)):
        log_refusal("case", case_id)
        raise NotFound("No case with that id.")
    close_if_expired(case, mp)
    return c, mp, case


def open_case(mp: Microproject, code: str, consent: dict) -> Case:
    problem = rules.code_problem(code)
    if problem:
        raise ApiError("Invalid case code.", 400, errors={"code": [problem]})
    given_at = naive_utc(consent["given_at"]) if consent.get("given_at") else now()
    if (given_at - now()).total_seconds() > 300:
        raise ApiError("Consent cannot be given in the future.", 400, errors={"consent.given_at": ["Is in the future."]})
    for case in db.session.scalars(sa.select(Case).where(Case.microproject_id == mp.id, Case.state == "open")):
        close_if_expired(case, mp)
    unmet = rules.can_open_case(mp.cases_count, mp.state)
    if not unmet and not _take_case_slot(mp):  # lost the race for the last slot
        unmet = rules.can_open_case(mp.cases_count, mp.state) or ["max_cases"]
    if unmet:
        detail = ("A microproject has at most 3 cases." if "max_cases" in unmet else "The microproject is completed.")
        raise RuleViolation(detail, unmet=unmet)
    # a second case with the same code: refused here, and by uq_case_code under a race
    clash = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(
        Case.microproject_id == mp.id, Case.code == code))
    if clash:
        raise RuleViolation("Another case of this microproject has that code.", unmet=["unique_code"])
    opened = now()
    case = Case(microproject_id=mp.id, code=code, state="open", consent_given_by=consent["given_by"],
                consent_scope=consent["scope"], consent_given_at=given_at, opened_at=opened,
                support_until=rules.support_until(opened, current_app.config["CASE_SUPPORT_WINDOW_DAYS"]))
    db.session.add(case)
    _progressed(mp)
    return case


def close_if_expired(case: Case, mp: Microproject, at: datetime | None = None) -> bool:
    """Support is time-limited: past its window an open case closes (kept for retention)."""
    if case.state == "open" and rules.support_expired(at or now(), case.support_until):
        case.state = "closed"
        case.closed_at = case.support_until
        return True
    return False


def _erase(case: Case, state: str) -> None:
    """Erase everything recorded about a case; keep a tombstone (ids, dates, counts)."""
    for model in (Assessment, Goal, Reflection):
        db.session.execute(sa.delete(model).where(model.case_id == case.id))
    from .reflective import erase_case_answers  # issue 11: formal Q / wheel answers go with the case
    erase_case_answers(case.id)
    case.code = None
    case.consent_given_by = None
    case.consent_scope = None
    case.state = state
    case.erased_at = now()


def withdraw_consent(mp: Microproject, case: Case) -> Case:
    if case.state == "withdrawn":
        return case
    counted = case.state in COUNTED
    case.consent_withdrawn_at = now()
    case.closed_at = case.closed_at or case.consent_withdrawn_at
    _erase(case, "withdrawn")
    if counted:  # a withdrawn case leaves the microproject and frees its slot
        db.session.execute(sa.update(Microproject).where(Microproject.id == mp.id, Microproject.cases_count > 0)
                           .values(cases_count=Microproject.cases_count - 1))
        db.session.refresh(mp)
    _progressed(mp)
    return case


def case_view(case: Case) -> dict:
    return {
        "id": case.id, "microproject_id": case.microproject_id, "code": case.code, "state": case.state,
        "consent": {"given_by": case.consent_given_by, "scope": case.consent_scope,
                    "given_at": iso(case.consent_given_at), "withdrawn_at": iso(case.consent_withdrawn_at)},
        "opened_at": iso(case.opened_at), "support_until": iso(case.support_until),
        "closed_at": iso(case.closed_at), "erased_at": iso(case.erased_at),
        "counts": {"baselines": case.baselines_count, "follow_ups": case.follow_ups_count,
                   "goals": case.goals_count, "reflections": case.reflections_count},
    }


def case_overview(case: Case) -> dict:
    """What an organisation admin, a Lead Plus of the organisation or CIC staff see of a case
    they do not oversee: ids, dates, state and counts; no code, consent wording or content."""
    return {
        "id": case.id, "microproject_id": case.microproject_id, "state": case.state,
        "opened_at": iso(case.opened_at), "support_until": iso(case.support_until),
        "closed_at": iso(case.closed_at), "erased_at": iso(case.erased_at),
        "counts": {"baselines": case.baselines_count, "follow_ups": case.follow_ups_count,
                   "goals": case.goals_count, "reflections": case.reflections_count},
    }


def cases_of(mp: Microproject) -> list[Case]:
    cases = db.session.scalars(sa.select(Case).where(Case.microproject_id == mp.id)
                               .order_by(Case.opened_at, Case.id)).all()
    for case in cases:
        close_if_expired(case, mp)
    return cases


def _writable(case: Case, mp: Microproject) -> None:
    if mp.state != "open":
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    if case.state != "open":
        raise RuleViolation("The case is not open (its support has ended or consent was withdrawn).",
                            unmet=["case_open"])


# ---- areas ---------------------------------------------------------------------------------

def ensure_areas() -> None:
    """Sample areas when none are configured yet (clearly labelled as samples)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Area)) == 0:
        # concurrent first requests may both seed: a second insert of a code does nothing
        if db.session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        for pos, (code, label) in enumerate(SAMPLE_AREAS):
            db.session.execute(insert(Area.__table__).values(code=code, label=label, position=pos, active=True)
                               .on_conflict_do_nothing(index_elements=["code"]))


def areas(active_only: bool = True) -> list[Area]:
    ensure_areas()
    stmt = sa.select(Area).order_by(Area.position, Area.code)
    if active_only:
        stmt = stmt.where(Area.active.is_(True))
    return list(db.session.scalars(stmt))


def area_view(a: Area) -> dict:
    return {"code": a.code, "label": a.label, "position": a.position, "active": a.active}


# ---- assessments, goals, reflections -----------------------------------------------------

def _licence_status(organisation_id: str) -> str | None:
    lic = db.session.get(OrgLicence, (organisation_id, "enhanced"))
    return lic.status if lic else None


def add_assessment(mp: Microproject, case: Case, kind: str, scores: dict, notes: str | None, user_id: str):
    known = {a.code for a in areas()}
    bad = {f"scores.{k}": ["Unknown area; see GET /api/v1/tracker/areas."] for k in scores if k not in known}
    if bad:
        raise ApiError("Unknown assessment area.", 400, errors=bad)
    if not scores:
        raise ApiError("Score at least one area.", 400, errors={"scores": ["Score at least one area."]})
    ctx = rules.UseContext(
        package_type=mp.package_type, microproject_state=mp.state, case_state=case.state,
        credits_left=mp.credits_left, setup_done=mp.setup_done_at is not None,
        overseer_certified=bool(mp.overseer_person_id and is_certified(mp.overseer_person_id, "lead_plus")),
        baselines=case.baselines_count, licence_status=_licence_status(mp.organisation_id))
    unmet = rules.can_use_tracker(ctx, kind)
    if unmet:
        raise RuleViolation("A Tracker use is refused: " + ", ".join(unmet) + ".", unmet=unmet)
    # claim the credit with a guarded UPDATE so two concurrent uses cannot both take the last one
    claimed = db.session.execute(
        sa.update(Microproject).where(Microproject.id == mp.id,
                                      Microproject.credits_used < Microproject.tracker_credits)
        .values(credits_used=Microproject.credits_used + 1)).rowcount
    if not claimed:
        raise RuleViolation("No Tracker credit left.", unmet=["tracker_credit"])
    db.session.refresh(mp)
    # a case has one baseline: a guarded UPDATE, so two concurrent baselines cannot both land
    if kind == "baseline":
        counted = db.session.execute(sa.update(Case).where(Case.id == case.id, Case.state == "open",
                                                           Case.baselines_count == 0)
                                     .values(baselines_count=Case.baselines_count + 1)).rowcount
    else:
        counted = db.session.execute(sa.update(Case).where(Case.id == case.id, Case.state == "open")
                                     .values(follow_ups_count=Case.follow_ups_count + 1)).rowcount
    if not counted:  # lost a race (the credit claim above is rolled back with the request)
        db.session.rollback()
        raise RuleViolation("A Tracker use is refused: single_baseline.", unmet=["single_baseline"])
    db.session.refresh(case)
    seq = case.baselines_count + case.follow_ups_count - 1
    a = Assessment(case_id=case.id, kind=kind, scores=dict(scores), notes=notes, recorded_by=user_id, seq=seq)
    db.session.add(a)
    emit("cic.tracker.credit_used", {"package_id": mp.package_id, "credits_left": mp.credits_left})
    return a


def assessment_view(a: Assessment) -> dict:
    return {"id": a.id, "case_id": a.case_id, "kind": a.kind, "scores": a.scores, "notes": a.notes,
            "created_at": iso(a.created_at)}


def add_goal(mp: Microproject, case: Case, text: str, status: str) -> Goal:
    _writable(case, mp)
    goal = Goal(case_id=case.id, text=text, status=status)
    db.session.add(goal)
    case.goals_count += 1
    return goal


def goal_view(goal: Goal) -> dict:
    return {"id": goal.id, "case_id": goal.case_id, "text": goal.text, "status": goal.status,
            "created_at": iso(goal.created_at), "updated_at": iso(goal.updated_at)}


def add_reflection(mp: Microproject, case: Case, text: str) -> Reflection:
    _writable(case, mp)
    r = Reflection(case_id=case.id, text=text)
    db.session.add(r)
    case.reflections_count += 1
    return r


def reflection_view(r: Reflection) -> dict:
    return {"id": r.id, "case_id": r.case_id, "text": r.text, "created_at": iso(r.created_at)}


def case_detail(case: Case) -> dict:
    out = case_view(case)
    out["assessments"] = [assessment_view(a) for a in db.session.scalars(
        sa.select(Assessment).where(Assessment.case_id == case.id).order_by(Assessment.seq, Assessment.created_at))]
    out["goals"] = [goal_view(g) for g in db.session.scalars(
        sa.select(Goal).where(Goal.case_id == case.id).order_by(Goal.created_at, Goal.id))]
    out["reflections"] = [reflection_view(r) for r in db.session.scalars(
        sa.select(Reflection).where(Reflection.case_id == case.id).order_by(Reflection.created_at, Reflection.id))]
    return out


def progress_of(case: Case) -> dict:
    assessments = list(db.session.scalars(sa.select(Assessment).where(Assessment.case_id == case.id)
                                          .order_by(Assessment.seq, Assessment.created_at)))
    baseline = next((a for a in assessments if a.kind == "baseline"), None)
    latest_scores: dict[str, int] = {}
    for a in assessments:  # newest score per area wins
        latest_scores.update(a.scores)
    labels = {a.code: a.label for a in areas(active_only=False)}
    scored = set(latest_scores)
    shown = [(code, label) for code, label in labels.items()
             if code in scored or (baseline is not None and code in baseline.scores)]
    return {
        "case_id": case.id, "state": case.state,
        "baseline_at": iso(baseline.created_at) if baseline else None,
        "latest_at": iso(assessments[-1].created_at) if assessments else None,
        "assessments": len(assessments),
        "areas": rules.progress(baseline.scores if baseline else None, latest_scores or None, shown),
    }


# ---- completion and retention --------------------------------------------------------------

def complete(mp: Microproject, reflection: str) -> Microproject:
    cases = [c for c in cases_of(mp) if c.state in COUNTED]
    counts = [rules.CaseCounts(c.baselines_count, c.follow_ups_count) for c in cases]
    unmet = rules.completion_unmet(mp.state, mp.tracker_credits, counts, reflection)
    if unmet:
        raise RuleViolation("The microproject does not meet the practicum rules yet: " + ", ".join(unmet) + ".",
                            unmet=unmet)
    at = now()
    # one completion per microproject, even under concurrent requests (guarded UPDATE)
    done = db.session.execute(sa.update(Microproject).where(Microproject.id == mp.id, Microproject.state == "open")
                              .values(state="completed", completed_at=at)).rowcount
    db.session.refresh(mp)
    if not done:
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    mp.completion_reflection = reflection.strip()
    for case in cases:  # support ends with the microproject; data is then kept for retention
        if case.state == "open":
            case.state = "closed"
            case.closed_at = at
    emit("cic.practicum.completed", {"package_id": mp.package_id, "practitioner_id": mp.practitioner_id,
                                     "cases_count": len(cases), "completed_at": iso(at)})
    _progressed(mp)
    return mp


def run_retention(at: datetime | None = None) -> dict:
    """Close cases past their support window; erase closed cases past the retention period."""
    at = at or now()
    retention = current_app.config["RETENTION_DAYS"]
    closed = erased = 0
    for case in db.session.scalars(sa.select(Case).where(Case.state == "open", Case.support_until <= at)):
        mp = db.session.get(Microproject, case.microproject_id)
        closed += int(close_if_expired(case, mp, at))
    for case in db.session.scalars(sa.select(Case).where(Case.state == "closed", Case.closed_at.is_not(None))):
        if rules.retention_over(at, case.closed_at, retention):
            _erase(case, "erased")
            erased += 1
    return {"closed": closed, "erased": erased}
