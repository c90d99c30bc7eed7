"""Microproject workspaces: opened by a package sale, closed by its cancellation; what the
package type allows (set-up, hub) and what training hears of the workspace's progress."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from imatter_shared.contract.packages import (
    PACKAGE_TYPES,
    default_uses_per_case,
)
from imatter_shared.messaging.consumer import Reject
from imatter_shared.web.errors import InvalidInput, RuleViolation

from ...authz import SIGN_OFF_STATES, Caller
from ...events import outgoing
from ...extensions import db
from ...models import Hub, Microproject, PackageType, PractitionerLicence
from ..common import now
from ..package_types import package_type


def open_workspace(data: dict) -> None:
    """From training.package.purchased: one microproject per package (idempotent: a package that
    has its microproject already changes nothing, even when its figures no longer fit the type)."""
    # Loaded once and passed on: the session's identity map holds clean rows weakly, so a second
    # package_type() after the first result was dropped read the same row again (profiled).
    known = package_type(data.get("package_type"))
    problem = package_problem(data, known)
    if problem:  # dead-lettered at once, never stored (security L13)
        if _has_workspace(data["package_id"]):
            return
        raise Reject(f"training.package.purchased refused: {problem}")
    # One Core INSERT that skips a package already opened (its unique package_id), where the ORM
    # read the package's row first and then flushed a new object: one statement per purchase
    # instead of two, and no unit of work (docs/performance.md 3c). Column defaults still apply.
    table = Microproject.__table__
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table).on_conflict_do_nothing(index_elements=["package_id"]),
        {  # parameters, not .values(): no clause built per event
            "package_id": data["package_id"],
            "package_type": data["package_type"],
            "organisation_id": data["organisation_id"],
            "practitioner_id": data["practitioner_id"],
            "tracker_credits": data["tracker_uses"],
            "credits_used": 0,
            "cases_count": 0,
            "tracker_uses_per_case": uses_per_case_for(data, known),
            "online_accounts": data.get("online_accounts", 0),
            "state": "open",
        },
    )


def _has_workspace(package_id: str) -> bool:
    return (
        db.session.scalar(sa.select(Microproject.id).where(Microproject.package_id == package_id)) is not None
    )


def uses_per_case_for(data: dict, known: PackageType | None = None) -> int:
    """Each case's share of a package's Tracker uses (Rulings: "Tracker uses are per person").
    The one place it is decided: the package event's `tracker_uses_per_case` when training sends
    it (the package types training publishes carry it), else the package's uses over 3 cases
    (Type 1: 3 -> 1, Type 2: 0, Type 3: 6 -> 2, Type 4: 9 -> 3). `known`: the stored package
    type when the caller has it (else it is read here)."""
    per_case = data.get("tracker_uses_per_case")
    if isinstance(per_case, int) and not isinstance(per_case, bool) and per_case >= 0:
        return per_case
    known = known or package_type(data.get("package_type"))
    if known is not None:  # the share training published for this type
        return known.tracker_uses_per_case
    return default_uses_per_case(int(data.get("tracker_uses") or 0))


def package_problem(data: dict, known: PackageType | None = None) -> str | None:
    """Why a `training.package.purchased` event cannot be applied (security L13), or None.
    Its quantities must be what the package type holds, as training published it
    (`training.package_types.published`): a forged Type 3 with no Tracker uses would complete a
    practicum without measures, an inflated one would hand out credits."""
    if data.get("package_type") not in PACKAGE_TYPES:
        return "unknown package type"
    known = known or package_type(data.get("package_type"))
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


def close_cancelled(data: dict) -> Microproject:
    """From training.package.cancelled (its invoice was voided before any use): the microproject
    is closed for good (state `cancelled`), so no case, assessment or set-up is possible.
    A package cic has no workspace for (its purchase was dead-lettered, or never sent) is
    dead-lettered too: acking it would leave the workspace open once the purchase is replayed."""
    mp = db.session.scalar(sa.select(Microproject).where(Microproject.package_id == data["package_id"]))
    if mp is None:
        raise Reject("training.package.cancelled refused: no microproject for that package")
    if mp.state != "cancelled":
        mp.state = "cancelled"
        mp.tracker_credits = mp.credits_used  # nothing left to use
    return mp


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


def set_hub(mp: Microproject, hub_id: str | None) -> Microproject:
    if hub_id is not None and db.session.get(Hub, hub_id) is None:
        raise InvalidInput("hub_id", "No hub with that id.", detail="Unknown hub.")
    mp.hub_id = hub_id
    return mp


def announce_progress(mp: Microproject) -> None:
    """Tell training the microproject's case count and state, once this unit's writes are flushed."""
    db.session.flush()
    outgoing.microproject_progressed(mp)


def practitioner_licence_states(person_id: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(PractitionerLicence.state).where(PractitionerLicence.person_id == person_id)
        )
    )
