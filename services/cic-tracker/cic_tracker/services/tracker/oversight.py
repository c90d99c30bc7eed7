"""Who oversees a microproject's practicum (DOMAIN "Rulings" -> Practitioner roles; rows 29, 30,
45) and who may sign it off. A package type whose row names an overseer role refuses Tracker use
until an overseer of that role has accepted (rules/tracker.py); any microproject may have one."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.contract.packages import LEAD_ROLES, OVERSEER_ROLE
from imatter_shared.web.errors import Forbidden, RuleViolation

from ...authz import Caller, is_active_member, is_certified
from ...extensions import db
from ...models import Microproject
from ...rules.tracker import OVERSIGHT
from ..common import now


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
        raise RuleViolation("The overseer must be someone other than the practitioner.", unmet=[OVERSIGHT])
    if not is_certified(person_id, OVERSEER_ROLE):
        raise RuleViolation("The overseer must be a certified Lead Plus practitioner.", unmet=[OVERSIGHT])
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
        raise RuleViolation("The overseer must be a certified Lead Plus practitioner.", unmet=[OVERSIGHT])
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


def accepted_overseer_holds(mp: Microproject, role: str | None = OVERSEER_ROLE) -> bool:
    """The microproject's overseer has accepted and is certified in `role` (a package type's
    overseer role; None: the type names none, so no overseer holds it)."""
    return bool(
        role
        and mp.overseer_person_id
        and mp.overseer_state == "accepted"
        and is_certified(mp.overseer_person_id, role)
    )


def sign_off_capacity(c: Caller, mp: Microproject) -> str | None:
    """In what capacity the caller may sign the practicum off, or None: the ACCEPTED overseer
    (`overseer`), or a certified Lead / Lead Plus who is an active member of the organisation
    (`lead_plus` / `lead`). Never the practitioner themself."""
    if c.is_practitioner_of(mp):
        return None
    if c.is_assigned_overseer_of(mp) and is_certified(mp.overseer_person_id, OVERSEER_ROLE):
        return "overseer"
    for role in reversed(LEAD_ROLES):  # lead_plus before lead
        if member_certified_as(c, mp, role):
            return role
    return None


def member_certified_as(c: Caller, mp: Microproject, role: str) -> str | None:
    return next(
        (
            p
            for p in sorted(c.person_ids)
            if is_active_member(p, mp.organisation_id) and is_certified(p, role)
        ),
        None,
    )
