"""Microproject Practitioner Licence: apply, approve, pause, resume, renew, lapse by date.

Eligibility (seeds 003, 004; DOMAIN.md "Rulings"): for someone "already engaged in the I Matter
Learning Journey": at least one enrolment or booked pathway item (409 `learning_journey`).
One licence at a time, linked to the practitioner's microprojects (packages). Every state change
(applied -> active, pause, resume, renew, a lapse found by the expiry job) is announced to
cic-tracker by `training.practitioner_licence.changed` in the same commit, so a paused or lapsed
licence stops new Tracker use there until resumed or renewed. Renewal is yearly (TERM_MONTHS).
"""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation

from ..events import outgoing
from ..extensions import db
from ..models import Person
from ..models.certification import PathwayItem
from ..models.learning import Enrolment
from ..models.packages import Package
from ..models.practitioner_licences import PractitionerLicence
from ..rules import practitioner_licence as rules
from ..rules.licences import add_months
from .clock import now


def state_of(lic: PractitionerLicence) -> str:
    return rules.effective_state(lic.state, lic.valid_until, now())


# our states -> the event's states (active, paused, lapsed, expired, ended); "applied" is never
# announced (a licence is active from its application)
EVENT_STATES = {"active": "active", "paused": "paused", "lapsed": "lapsed"}


def _announce(lic: PractitionerLicence, state: str | None = None) -> None:
    """training.practitioner_licence.changed, through the outbox in the caller's transaction."""
    state = EVENT_STATES.get(state or state_of(lic))
    if state is None:
        return
    db.session.flush()
    outgoing.practitioner_licence_changed(lic, state)
    lic.announced_state = state


def microproject_ids(lic: PractitionerLicence) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Package.id)
            .where(Package.practitioner_licence_id == lic.id)
            .order_by(Package.created_at, Package.id)
        )
    )


_CURRENT = (  # built once (decision 0037)
    sa.select(PractitionerLicence)
    .where(PractitionerLicence.person_id == sa.bindparam("person_id"))
    .order_by(PractitionerLicence.created_at.desc(), PractitionerLicence.id)
    .limit(1)
)


def current_of(person_id: str) -> PractitionerLicence | None:
    return db.session.scalar(_CURRENT, {"person_id": person_id})


def licence_for_new_package(lic: PractitionerLicence | None) -> str | None:
    """The id of the licence a new microproject runs under: the practitioner's current licence
    (`current_of`, read once by the purchase) when it is active, else none."""
    return lic.id if lic is not None and state_of(lic) == "active" else None


def on_learning_journey(person_id: str) -> bool:
    """At least one enrolment or booked pathway item (not cancelled)."""
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Enrolment)
            .where(Enrolment.person_id == person_id, Enrolment.state != "cancelled")
        )
    ) or bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PathwayItem)
            .where(PathwayItem.person_id == person_id, PathwayItem.state != "cancelled")
        )
    )


def get(licence_id: str) -> PractitionerLicence:
    lic = db.session.get(PractitionerLicence, licence_id)
    if lic is None:
        raise NotFound("No practitioner licence with that id.")
    return lic


def of_person(person_id: str) -> list[PractitionerLicence]:
    """A person holds one licence at a time, so the list is short: newest first."""
    return list(
        db.session.scalars(
            sa.select(PractitionerLicence)
            .where(PractitionerLicence.person_id == person_id)
            .order_by(PractitionerLicence.created_at.desc(), PractitionerLicence.id)
        )
    )


def apply(data: dict, user_id: str) -> PractitionerLicence:
    errors = rules.focus_area_errors(data["focus_areas"])
    if errors:
        raise InvalidInput(None, detail="Invalid focus areas.", errors={"focus_areas": errors})
    # one licence at a time: simultaneous applications queue on the person's row (PostgreSQL)
    db.session.execute(sa.select(Person.id).where(Person.id == data["person_id"]).with_for_update())
    current = db.session.scalar(
        sa.select(PractitionerLicence)
        .where(PractitionerLicence.person_id == data["person_id"])
        .order_by(PractitionerLicence.created_at.desc())
        .limit(1)
    )
    if current is not None and state_of(current) in ("applied", "active", "paused"):
        raise RuleViolation(
            "This person already holds (or has applied for) a practitioner licence: "
            "renew, pause or resume it instead.",
            unmet=["one_licence"],
        )
    if not on_learning_journey(data["person_id"]):
        raise RuleViolation(
            "The Microproject Practitioner Licence is for professionals already on the I Matter "
            "learning journey: enrol on a course or book a pathway item first.",
            unmet=["learning_journey"],
        )
    if current is not None and current.state in ("active", "paused"):
        current.state = "lapsed"  # past its term: stored as such, so the new one is the live one
        db.session.flush()
    lic = PractitionerLicence(
        person_id=data["person_id"],
        applied_as=data.get("licence_name") or "microproject",
        idea=data["idea"].strip(),
        focus_areas=[a.strip() for a in data["focus_areas"]],
        state="active",
        created_by=user_id,
    )
    lic.valid_from = now()
    lic.valid_until = add_months(lic.valid_from, rules.TERM_MONTHS)
    db.session.add(lic)
    db.session.flush()
    # the practitioner's open microprojects run under this licence from now on
    db.session.execute(
        sa.update(Package)
        .where(
            Package.practitioner_id == lic.person_id,
            Package.cancelled_at.is_(None),
            Package.practicum_state != "completed",
        )
        .values(practitioner_licence_id=lic.id)
    )
    _announce(lic, "active")
    return lic


def _move(lic: PractitionerLicence, action: str) -> str:
    current = state_of(lic)
    target = rules.TRANSITIONS.get((current, action))
    if target is None:
        raise RuleViolation(f"A licence that is {current} cannot {action}.", unmet=[f"licence_{current}"])
    return target


def approve(lic: PractitionerLicence, user_id: str) -> PractitionerLicence:
    """A training admin's review of the application, recorded (the term runs from application)."""
    was = state_of(lic)
    lic.state = _move(lic, "approve")
    lic.approved_at, lic.approved_by = now(), user_id
    if was == "applied":
        lic.valid_from = now()
        lic.valid_until = add_months(lic.valid_from, rules.TERM_MONTHS)
        _announce(lic)
    return lic


def pause(lic: PractitionerLicence) -> PractitionerLicence:
    if state_of(lic) == "paused":
        return lic  # pausing again changes nothing
    lic.resume_to = state_of(lic)
    lic.state = _move(lic, "pause")
    lic.paused_at = now()
    _announce(lic)
    return lic


def resume(lic: PractitionerLicence) -> PractitionerLicence:
    current = state_of(lic)
    if current in ("active", "applied") and lic.paused_at is None:
        return lic
    if current != "paused":
        raise RuleViolation(f"A licence that is {current} cannot resume.", unmet=[f"licence_{current}"])
    lic.state, lic.resume_to, lic.paused_at = lic.resume_to or "active", None, None
    _announce(lic)
    return lic


def renew(lic: PractitionerLicence) -> PractitionerLicence:
    """Continue for another term from the end of the current one (or from now, once lapsed)."""
    lic.state = _move(lic, "renew")
    start = lic.valid_until if lic.valid_until and lic.valid_until > now() else now()
    lic.valid_until = add_months(start, rules.TERM_MONTHS)
    lic.paused_at, lic.resume_to = None, None
    lic.renewals += 1
    _announce(lic)
    return lic


def expire_due(at=None) -> list[PractitionerLicence]:
    """The scheduler's job (`flask licences expire`): announce once, as `lapsed`, every licence
    whose yearly term has ended since its last announcement; it stays lapsed until renewed."""
    at = at or now()
    rows = list(
        db.session.scalars(
            sa.select(PractitionerLicence)
            .where(
                PractitionerLicence.announced_state.in_(("active", "paused")),
                PractitionerLicence.valid_until <= at,
            )
            .with_for_update()
        )
    )
    for lic in rows:
        _announce(lic, "lapsed")
    return rows


def require_not_paused(lic: PractitionerLicence | None) -> None:
    """A paused licence cannot be used: no package is bought under it. `lic`: the practitioner's
    current licence (`current_of`)."""
    if lic is not None and state_of(lic) == "paused":
        raise RuleViolation(
            "The practitioner's Microproject Practitioner Licence is paused: resume it first.",
            unmet=["practitioner_licence_active"],
        )
