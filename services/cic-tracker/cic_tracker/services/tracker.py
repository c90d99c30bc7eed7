"""The Progress Tracker: microproject workspaces, cases, credits, completion, retention."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import ApiError, Forbidden, NotFound, RuleViolation

from ..authz import SIGN_OFF_STATES, Caller, caller, is_active_member, is_certified
from ..extensions import db
from ..models import (
    Area,
    Assessment,
    Case,
    Goal,
    Hub,
    Microproject,
    OrgLicence,
    PractitionerLicence,
    Reflection,
)
from ..rules import tracker as rules
from ..rules.areas import SAMPLE_AREAS
from ..rules.packages import OVERSEER_ROLE, PACKAGE_RULES, SIGN_OFF_ROLES, default_uses_per_case, rule_for
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
    mp = Microproject(
        package_id=data["package_id"],
        package_type=data["package_type"],
        organisation_id=data["organisation_id"],
        practitioner_id=data["practitioner_id"],
        tracker_credits=data["tracker_uses"],
        credits_used=0,
        cases_count=0,
        tracker_uses_per_case=uses_per_case_for(data),
        online_accounts=data.get("online_accounts", 0),
        state="open",
    )
    db.session.add(mp)
    return mp


def uses_per_case_for(data: dict) -> int:
    """Each case's share of a package's Tracker uses (Rulings: "Tracker uses are per person").
    The one place it is decided: the package event's `tracker_uses_per_case` when training sends
    it (the package types training publishes carry it), else the package's uses over 3 cases
    (Type 1: 3 -> 1, Type 2: 0, Type 3: 6 -> 2, Type 4: 9 -> 3)."""
    per_case = data.get("tracker_uses_per_case")
    if isinstance(per_case, int) and not isinstance(per_case, bool) and per_case >= 0:
        return per_case
    from .package_types import package_type

    known = package_type(data.get("package_type"))
    if known is not None:  # the share training published for this type
        return known.tracker_uses_per_case
    return default_uses_per_case(int(data.get("tracker_uses") or 0), rules.MAX_CASES)


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
        "id": mp.id,
        "package_id": mp.package_id,
        "package_type": mp.package_type,
        "organisation_id": mp.organisation_id,
        "practitioner_id": mp.practitioner_id,
        "hub_id": mp.hub_id,
        "state": mp.state,
        "tracker_credits": mp.tracker_credits,
        "credits_used": mp.credits_used,
        "credits_left": mp.credits_left,
        "tracker_uses_per_case": mp.tracker_uses_per_case,
        "needs_setup": rule.needs_setup,
        "setup_done": mp.setup_done_at is not None,
        "setup_done_at": iso(mp.setup_done_at),
        "overseer_role_required": rule.overseer_role,
        "overseer_person_id": mp.overseer_person_id,
        "overseer_state": mp.overseer_state,
        "overseer_via": mp.overseer_via,
        "overseer_assigned_at": iso(mp.overseer_assigned_at),
        "overseer_accepted_at": iso(mp.overseer_accepted_at),
        "completion_rules": {
            "cases": [1, rules.MAX_CASES],
            "each_case": list(rule.case_completion),
            "final_reflection": True,
            "sign_off": True,
        },
        "cases_count": mp.cases_count,
        "max_cases": rules.MAX_CASES,
        "completion_requested_at": iso(mp.completion_requested_at),
        "signed_off_by_person_id": mp.signed_off_by_person_id,
        "signed_off_as": mp.signed_off_as,
        "signed_off_at": iso(mp.signed_off_at),
        "completed_at": iso(mp.completed_at),
        "created_at": iso(mp.created_at),
    }


def list_stmt(c: Caller):
    stmt = sa.select(Microproject).order_by(Microproject.created_at.desc(), Microproject.id)
    if c.is_cic_staff or c.is_training_admin:
        return stmt
    return stmt.where(
        sa.or_(
            sa.and_(
                Microproject.state.in_(SIGN_OFF_STATES),
                Microproject.organisation_id.in_(c.lead_org_ids or {""}),
            ),
            Microproject.practitioner_id.in_(c.person_ids or {""}),
            Microproject.organisation_id.in_(c.overseen_org_ids or {""}),
            Microproject.overseer_person_id.in_(c.person_ids or {""}),
        )
    )


def set_up(mp: Microproject) -> Microproject:
    if mp.state != "open":
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    if mp.setup_done_at is None:
        mp.setup_done_at = now()
    return mp


def assign_overseer(c: Caller, mp: Microproject, person_id: str) -> Microproject:
    """Name the microproject's overseer (DOMAIN "Rulings" -> Practitioner roles; rows 29, 30, 45).

    The overseer is a certified Lead Plus, and either
    - an ACTIVE member of the microproject's organisation, named by the practitioner, an admin of
      the organisation or a training admin (`via: organisation`), or
    - one of I Matter Training's own Lead Plus practitioners, named by a training admin
      (principal role `training_admin`; `via: training`).
    Nobody names themself, and the practitioner is never their own overseer. The assignment is
    `pending` until the overseer accepts; until then they read no case text and sign nothing.
    """
    if not (c.is_practitioner_of(mp) or mp.organisation_id in c.admin_org_ids or c.is_training_admin):
        raise Forbidden(
            "Only the practitioner, the organisation's admin or a training admin names the overseer."
        )
    if mp.state not in ("open", "awaiting_sign_off"):
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    if person_id in c.person_ids:
        raise RuleViolation("Nobody assigns themself as overseer.", unmet=["overseer_not_self"])
    if person_id == mp.practitioner_id:
        raise RuleViolation(
            "The overseer must be someone other than the practitioner.", unmet=["lead_plus_oversight"]
        )
    if not is_certified(person_id, OVERSEER_ROLE):
        raise RuleViolation(
            "The overseer must be a certified Lead Plus practitioner.", unmet=["lead_plus_oversight"]
        )
    if is_active_member(person_id, mp.organisation_id):
        via = "organisation"
    elif c.is_training_admin:
        via = "training"  # the training admin vouches: one of I Matter Training's own Lead Plus
    else:
        raise RuleViolation(
            "The overseer must be a Lead Plus who is an active member of the organisation, or one "
            "of I Matter Training's Lead Plus practitioners named by a training admin.",
            unmet=["overseer_organisation_member"],
        )
    mp.overseer_person_id = person_id
    mp.overseer_state = "pending"
    mp.overseer_via = via
    mp.overseer_assigned_by = c.user_id
    mp.overseer_assigned_at = now()
    mp.overseer_accepted_at = None
    return mp


def accept_oversight(c: Caller, mp: Microproject) -> Microproject:
    """The named overseer accepts (guarded UPDATE: pending -> accepted, once)."""
    if not c.is_named_overseer_of(mp):
        raise Forbidden("Only the named overseer accepts the oversight.")
    if not is_certified(mp.overseer_person_id, OVERSEER_ROLE):
        raise RuleViolation(
            "The overseer must be a certified Lead Plus practitioner.", unmet=["lead_plus_oversight"]
        )
    if mp.overseer_state == "accepted":
        return mp
    named = mp.overseer_person_id
    done = db.session.execute(
        sa.update(Microproject)
        .where(
            Microproject.id == mp.id,
            Microproject.overseer_person_id == named,
            Microproject.overseer_state == "pending",
        )
        .values(overseer_state="accepted", overseer_accepted_at=now())
    ).rowcount
    db.session.refresh(mp)
    if not done and not (mp.overseer_person_id == named and mp.overseer_state == "accepted"):
        raise RuleViolation("The oversight is no longer pending.", unmet=["overseer_pending"])
    return mp


def decline_oversight(c: Caller, mp: Microproject) -> Microproject:
    """The named overseer declines (or steps down): the microproject has no overseer again."""
    if not c.is_named_overseer_of(mp):
        raise Forbidden("Only the named overseer declines the oversight.")
    mp.overseer_person_id = None
    mp.overseer_state = mp.overseer_via = mp.overseer_assigned_by = None
    mp.overseer_assigned_at = mp.overseer_accepted_at = None
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
        sa.update(Microproject)
        .where(
            Microproject.id == mp.id, Microproject.state == "open", Microproject.cases_count < rules.MAX_CASES
        )
        .values(cases_count=Microproject.cases_count + 1)
    ).rowcount
    db.session.refresh(mp)
    return bool(taken)


def _progressed(mp: Microproject) -> None:
    """Counts only, so training can derive stage 5 (a microproject with 1-3 cases under way)."""
    db.session.flush()
    emit(
        "cic.microproject.progressed",
        {
            "package_id": mp.package_id,
            "organisation_id": mp.organisation_id,
            "cases_count": mp.cases_count,
            "state": "completed" if mp.state == "completed" else "open",
        },
    )


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
        raise ApiError(
            "Consent cannot be given in the future.", 400, errors={"consent.given_at": ["Is in the future."]}
        )
    for case in db.session.scalars(
        sa.select(Case).where(Case.microproject_id == mp.id, Case.state == "open")
    ):
        close_if_expired(case, mp)
    unmet = rules.can_open_case(mp.cases_count, mp.state) + rules.can_open_case_for_use(
        _licence_status(mp.organisation_id)
    )
    if "enhanced_licence" in unmet:
        raise RuleViolation(
            "Tracker use needs an active Enhanced Practice Licence for the organisation.", unmet=unmet
        )
    if not unmet and not _take_case_slot(mp):  # lost the race for the last slot
        unmet = rules.can_open_case(mp.cases_count, mp.state) or ["max_cases"]
    if unmet:
        detail = (
            "A microproject has at most 3 cases."
            if "max_cases" in unmet
            else "The microproject is completed."
        )
        raise RuleViolation(detail, unmet=unmet)
    # a second case with the same code: refused here, and by uq_case_code under a race
    clash = db.session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(Case.microproject_id == mp.id, Case.code == code)
    )
    if clash:
        raise RuleViolation("Another case of this microproject has that code.", unmet=["unique_code"])
    opened = now()
    case = Case(
        microproject_id=mp.id,
        code=code,
        state="open",
        consent_given_by=consent["given_by"],
        consent_scope=consent["scope"],
        consent_given_at=given_at,
        opened_at=opened,
        support_until=rules.support_until(opened, current_app.config["CASE_SUPPORT_WINDOW_DAYS"]),
    )
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
        db.session.execute(
            sa.update(Microproject)
            .where(Microproject.id == mp.id, Microproject.cases_count > 0)
            .values(cases_count=Microproject.cases_count - 1)
        )
        db.session.refresh(mp)
    _progressed(mp)
    return case


def case_view(case: Case) -> dict:
    return {
        "id": case.id,
        "microproject_id": case.microproject_id,
        "code": case.code,
        "state": case.state,
        "consent": {
            "given_by": case.consent_given_by,
            "scope": case.consent_scope,
            "given_at": iso(case.consent_given_at),
            "withdrawn_at": iso(case.consent_withdrawn_at),
        },
        "opened_at": iso(case.opened_at),
        "support_until": iso(case.support_until),
        "closed_at": iso(case.closed_at),
        "erased_at": iso(case.erased_at),
        "counts": {
            "baselines": case.baselines_count,
            "follow_ups": case.follow_ups_count,
            "goals": case.goals_count,
            "reflections": case.reflections_count,
        },
    }


def case_overview(case: Case) -> dict:
    """What an organisation admin, a Lead Plus of the organisation or CIC staff see of a case
    they do not oversee: ids, dates, state and counts; no code, consent wording or content."""
    return {
        "id": case.id,
        "microproject_id": case.microproject_id,
        "state": case.state,
        "opened_at": iso(case.opened_at),
        "support_until": iso(case.support_until),
        "closed_at": iso(case.closed_at),
        "erased_at": iso(case.erased_at),
        "counts": {
            "baselines": case.baselines_count,
            "follow_ups": case.follow_ups_count,
            "goals": case.goals_count,
            "reflections": case.reflections_count,
        },
    }


def cases_of(mp: Microproject) -> list[Case]:
    cases = db.session.scalars(
        sa.select(Case).where(Case.microproject_id == mp.id).order_by(Case.opened_at, Case.id)
    ).all()
    for case in cases:
        close_if_expired(case, mp)
    return cases


def _writable(case: Case, mp: Microproject) -> None:
    if mp.state != "open":
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    if case.state != "open":
        raise RuleViolation(
            "The case is not open (its support has ended or consent was withdrawn).", unmet=["case_open"]
        )


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
            db.session.execute(
                insert(Area.__table__)
                .values(code=code, label=label, position=pos, active=True)
                .on_conflict_do_nothing(index_elements=["code"])
            )


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
    """The Enhanced Licence status cic knows; an `active` one past its valid_until is `expired`."""
    lic = db.session.get(OrgLicence, (organisation_id, "enhanced"))
    if lic is None:
        return None
    if lic.status == "active" and lic.valid_until and lic.valid_until[:10] < now().date().isoformat():
        return "expired"
    return lic.status


def practitioner_licence_states(person_id: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(PractitionerLicence.state).where(PractitionerLicence.person_id == person_id)
        )
    )


def accepted_overseer_certified(mp: Microproject) -> bool:
    return bool(
        mp.overseer_person_id
        and mp.overseer_state == "accepted"
        and is_certified(mp.overseer_person_id, OVERSEER_ROLE)
    )


def add_assessment(mp: Microproject, case: Case, kind: str, scores: dict, notes: str | None, user_id: str):
    known = {a.code for a in areas()}
    bad = {f"scores.{k}": ["Unknown area; see GET /api/v1/tracker/areas."] for k in scores if k not in known}
    if bad:
        raise ApiError("Unknown assessment area.", 400, errors=bad)
    if not scores:
        raise ApiError("Score at least one area.", 400, errors={"scores": ["Score at least one area."]})
    ctx = rules.UseContext(
        package_type=mp.package_type,
        microproject_state=mp.state,
        case_state=case.state,
        credits_left=mp.credits_left,
        setup_done=mp.setup_done_at is not None,
        overseer_certified=accepted_overseer_certified(mp),
        baselines=case.baselines_count,
        licence_status=_licence_status(mp.organisation_id),
        case_uses=case.uses_count,
        uses_per_case=mp.tracker_uses_per_case,
        practitioner_licence_ok=rules.practitioner_licence_ok(
            practitioner_licence_states(mp.practitioner_id)
        ),
    )
    unmet = rules.can_use_tracker(ctx, kind)
    if unmet:
        detail = (
            "This case has used its share of Tracker uses."
            if unmet == ["tracker_credit"] and ctx.credits_left > 0
            else "A Tracker use is refused: " + ", ".join(unmet) + "."
        )
        raise RuleViolation(detail, unmet=unmet)
    # the case's share first (Tracker uses are per person), then one baseline per case: one
    # guarded UPDATE, so concurrent uses of one case can never pass its share or add a 2nd baseline
    guard = [Case.id == case.id, Case.state == "open", Case.uses_count < mp.tracker_uses_per_case]
    if kind == "baseline":
        values = {"baselines_count": Case.baselines_count + 1, "uses_count": Case.uses_count + 1}
        guard.append(Case.baselines_count == 0)
    else:
        values = {"follow_ups_count": Case.follow_ups_count + 1, "uses_count": Case.uses_count + 1}
    counted = db.session.execute(sa.update(Case).where(*guard).values(**values)).rowcount
    if not counted:  # lost a race to another use of this case
        db.session.rollback()
        fresh = db.session.get(Case, case.id)
        if fresh is not None and fresh.uses_count >= mp.tracker_uses_per_case:
            raise RuleViolation("This case has used its share of Tracker uses.", unmet=["tracker_credit"])
        raise RuleViolation("A Tracker use is refused: single_baseline.", unmet=["single_baseline"])
    # then the microproject's pool (guarded UPDATE: two concurrent uses cannot take the last one)
    claimed = db.session.execute(
        sa.update(Microproject)
        .where(Microproject.id == mp.id, Microproject.credits_used < Microproject.tracker_credits)
        .values(credits_used=Microproject.credits_used + 1)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise RuleViolation("No Tracker credit left.", unmet=["tracker_credit"])
    db.session.refresh(mp)
    db.session.refresh(case)
    seq = case.baselines_count + case.follow_ups_count - 1
    a = Assessment(case_id=case.id, kind=kind, scores=dict(scores), notes=notes, recorded_by=user_id, seq=seq)
    db.session.add(a)
    emit("cic.tracker.credit_used", {"package_id": mp.package_id, "credits_left": mp.credits_left})
    return a


def assessment_view(a: Assessment) -> dict:
    return {
        "id": a.id,
        "case_id": a.case_id,
        "kind": a.kind,
        "scores": a.scores,
        "notes": a.notes,
        "created_at": iso(a.created_at),
    }


def add_goal(mp: Microproject, case: Case, text: str, status: str) -> Goal:
    _writable(case, mp)
    goal = Goal(case_id=case.id, text=text, status=status)
    db.session.add(goal)
    case.goals_count += 1
    return goal


def goal_view(goal: Goal) -> dict:
    return {
        "id": goal.id,
        "case_id": goal.case_id,
        "text": goal.text,
        "status": goal.status,
        "created_at": iso(goal.created_at),
        "updated_at": iso(goal.updated_at),
    }


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
    out["assessments"] = [
        assessment_view(a)
        for a in db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.case_id == case.id)
            .order_by(Assessment.seq, Assessment.created_at)
        )
    ]
    out["goals"] = [
        goal_view(g)
        for g in db.session.scalars(
            sa.select(Goal).where(Goal.case_id == case.id).order_by(Goal.created_at, Goal.id)
        )
    ]
    out["reflections"] = [
        reflection_view(r)
        for r in db.session.scalars(
            sa.select(Reflection)
            .where(Reflection.case_id == case.id)
            .order_by(Reflection.created_at, Reflection.id)
        )
    ]
    return out


def progress_of(case: Case) -> dict:
    assessments = list(
        db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.case_id == case.id)
            .order_by(Assessment.seq, Assessment.created_at)
        )
    )
    baseline = next((a for a in assessments if a.kind == "baseline"), None)
    latest_scores: dict[str, int] = {}
    for a in assessments:  # newest score per area wins
        latest_scores.update(a.scores)
    labels = {a.code: a.label for a in areas(active_only=False)}
    scored = set(latest_scores)
    shown = [
        (code, label)
        for code, label in labels.items()
        if code in scored or (baseline is not None and code in baseline.scores)
    ]
    return {
        "case_id": case.id,
        "state": case.state,
        "baseline_at": iso(baseline.created_at) if baseline else None,
        "latest_at": iso(assessments[-1].created_at) if assessments else None,
        "assessments": len(assessments),
        "areas": rules.progress(baseline.scores if baseline else None, latest_scores or None, shown),
    }


# ---- completion and retention --------------------------------------------------------------


def complete(mp: Microproject, reflection: str) -> Microproject:
    """The practitioner asks to complete (CONTRACT: 200, or 409 with `unmet`): the practicum
    rules of its type are checked and the microproject waits for sign-off (`awaiting_sign_off`).
    Training hears of it only once it is signed off (row 35, a SUPERVISED practicum)."""
    cases = [c for c in cases_of(mp) if c.state in COUNTED]
    counts = [rules.CaseCounts(c.baselines_count, c.follow_ups_count, c.reflections_count) for c in cases]
    unmet = rules.completion_unmet(mp.state, mp.package_type, counts, reflection)
    if unmet:
        raise RuleViolation(
            "The microproject does not meet the practicum rules yet: " + ", ".join(unmet) + ".", unmet=unmet
        )
    # one request per microproject, even under concurrent requests (guarded UPDATE)
    done = db.session.execute(
        sa.update(Microproject)
        .where(Microproject.id == mp.id, Microproject.state == "open")
        .values(
            state="awaiting_sign_off", completion_requested_at=now(), completion_reflection=reflection.strip()
        )
    ).rowcount
    db.session.refresh(mp)
    if not done:
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    return mp


def sign_off_capacity(c: Caller, mp: Microproject) -> str | None:
    """In what capacity the caller may sign the practicum off, or None: the ACCEPTED overseer
    (`overseer`), or a certified Lead / Lead Plus who is an active member of the organisation
    (`lead_plus` / `lead`). Never the practitioner themself."""
    if c.is_practitioner_of(mp):
        return None
    if c.is_assigned_overseer_of(mp) and is_certified(mp.overseer_person_id, OVERSEER_ROLE):
        return "overseer"
    for role in reversed(SIGN_OFF_ROLES):  # lead_plus before lead
        if _member_certified_as(c, mp, role):
            return role
    return None


def _member_certified_as(c: Caller, mp: Microproject, role: str) -> str | None:
    return next(
        (
            p
            for p in sorted(c.person_ids)
            if is_active_member(p, mp.organisation_id) and is_certified(p, role)
        ),
        None,
    )


def sign_off(c: Caller, mp: Microproject) -> Microproject:
    """Sign the practicum off (row 35): who and when are recorded, cases close (kept for
    retention), and `cic.practicum.completed` (counts only) goes to training. Once, even under a
    race (guarded UPDATE awaiting_sign_off -> completed)."""
    capacity = sign_off_capacity(c, mp)
    if capacity is None:
        raise Forbidden(
            "Only the accepted overseer, or a Lead or Lead Plus of the organisation, signs a practicum off."
        )
    if mp.state != "awaiting_sign_off":
        if mp.state == "completed":
            raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
        raise RuleViolation(
            "The practitioner has not asked to complete this microproject.", unmet=["awaiting_sign_off"]
        )
    if rule_for(mp.package_type).overseer_role and not accepted_overseer_certified(mp):
        raise RuleViolation(
            "This package type needs an accepted Lead Plus overseer.", unmet=["lead_plus_oversight"]
        )
    at = now()
    signer = mp.overseer_person_id if capacity == "overseer" else _member_certified_as(c, mp, capacity)
    done = db.session.execute(
        sa.update(Microproject)
        .where(Microproject.id == mp.id, Microproject.state == "awaiting_sign_off")
        .values(
            state="completed",
            completed_at=at,
            signed_off_at=at,
            signed_off_by_person_id=signer,
            signed_off_by_user_id=c.user_id,
            signed_off_as=capacity,
        )
    ).rowcount
    db.session.refresh(mp)
    if not done:
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    cases = [case for case in cases_of(mp) if case.state in COUNTED]
    for case in cases:  # support ends with the microproject; data is then kept for retention
        if case.state == "open":
            case.state = "closed"
            case.closed_at = at
    emit(
        "cic.practicum.completed",
        {
            "package_id": mp.package_id,
            "practitioner_id": mp.practitioner_id,
            "cases_count": len(cases),
            "completed_at": iso(at),
        },
    )
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
    for case in db.session.scalars(
        sa.select(Case).where(Case.state == "closed", Case.closed_at.is_not(None))
    ):
        if rules.retention_over(at, case.closed_at, retention):
            _erase(case, "erased")
            erased += 1
    return {"closed": closed, "erased": erased}
