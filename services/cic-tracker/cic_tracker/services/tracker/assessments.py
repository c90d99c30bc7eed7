"""What is recorded on a case: the Tracker's assessments (each one a Tracker use, counted against
the case's share and the microproject's pool), goals and reflections; the areas scored; progress."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from imatter_shared.contract.packages import package_type as type_row
from imatter_shared.web.errors import InvalidInput, RuleViolation

from ...events import outgoing
from ...extensions import db
from ...models import Area, Assessment, Case, Goal, Microproject, Reflection
from ...rules import tracker as rules
from ...rules.areas import SAMPLE_AREAS
from ..common import iso
from ..directory import licence_status
from .cases import require_writable
from .oversight import accepted_overseer_holds
from .workspaces import practitioner_licence_states


def ensure_areas() -> None:
    """Sample areas when none are configured yet (clearly labelled as samples)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Area)) == 0:
        # concurrent first requests may both seed: a second insert of a code does nothing
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
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


def add_assessment(mp: Microproject, case: Case, kind: str, scores: dict, notes: str | None, user_id: str):
    known = {a.code for a in areas()}
    bad = {f"scores.{k}": ["Unknown area; see GET /api/v1/tracker/areas."] for k in scores if k not in known}
    if bad:
        raise InvalidInput(None, detail="Unknown assessment area.", errors=bad)
    if not scores:
        raise InvalidInput("scores", "Score at least one area.")
    ctx = rules.UseContext(
        package_type=mp.package_type,
        microproject_state=mp.state,
        case_state=case.state,
        credits_left=mp.credits_left,
        setup_done=mp.setup_done_at is not None,
        overseer_certified=accepted_overseer_holds(mp, type_row(mp.package_type).overseer_role),
        baselines=case.baselines_count,
        licence_status=licence_status(mp.organisation_id),
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
    outgoing.credit_used(mp)
    return a


def credits_left_of(a: Assessment) -> int:
    """The Tracker credits the case's microproject has left (shown with a use just recorded)."""
    return db.session.get(Microproject, db.session.get(Case, a.case_id).microproject_id).credits_left


def add_goal(mp: Microproject, case: Case, text: str, status: str) -> Goal:
    require_writable(case, mp)
    goal = Goal(case_id=case.id, text=text, status=status)
    db.session.add(goal)
    case.goals_count += 1
    return goal


def add_reflection(mp: Microproject, case: Case, text: str) -> Reflection:
    require_writable(case, mp)
    r = Reflection(case_id=case.id, text=text)
    db.session.add(r)
    case.reflections_count += 1
    return r


def assessments_of(case: Case) -> list[Assessment]:
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.case_id == case.id)
            .order_by(Assessment.seq, Assessment.created_at)
        )
    )


def goals_of(case: Case) -> list[Goal]:
    return list(
        db.session.scalars(sa.select(Goal).where(Goal.case_id == case.id).order_by(Goal.created_at, Goal.id))
    )


def reflections_of(case: Case) -> list[Reflection]:
    return list(
        db.session.scalars(
            sa.select(Reflection)
            .where(Reflection.case_id == case.id)
            .order_by(Reflection.created_at, Reflection.id)
        )
    )


def progress_of(case: Case) -> dict:
    assessments = assessments_of(case)
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
