"""Completing a microproject: the practitioner asks, the practicum rules of its type are checked,
an overseer or a Lead of the organisation signs it off, training hears counts only; then the
cases' retention runs its course."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from imatter_shared.contract.packages import oversight_requirement
from imatter_shared.contract.packages import package_type as type_row
from imatter_shared.web.errors import Forbidden, RuleViolation

from ...authz import Caller
from ...events import outgoing
from ...extensions import db
from ...models import Case, Microproject
from ...rules import tracker as rules
from ..common import now
from .cases import COUNTED, cases_of, close_if_expired, erase
from .oversight import accepted_overseer_holds, member_certified_as, sign_off_capacity
from .workspaces import announce_progress


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
    overseer_role = type_row(mp.package_type).overseer_role
    if overseer_role and not accepted_overseer_holds(mp, overseer_role):
        raise RuleViolation(
            "This package type needs an accepted Lead Plus overseer.",
            unmet=[oversight_requirement(overseer_role)],
        )
    at = now()
    signer = mp.overseer_person_id if capacity == "overseer" else member_certified_as(c, mp, capacity)
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
    outgoing.practicum_completed(mp, len(cases))
    announce_progress(mp)
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
            erase(case, "erased")
            erased += 1
    return {"closed": closed, "erased": erased}
