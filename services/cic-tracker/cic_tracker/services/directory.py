"""What cic-tracker learns about people, organisations and their licences and certifications from
training's events (models/directory.py): ids, roles, statuses and dates only. Each function
applies one event's data; the latest event about a record wins. licence_status reads back the
organisation's Enhanced Licence for every use that needs it (Tracker, case tools)."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.contract.packages import REQUIRED_LICENCE

from ..extensions import db
from ..models import (
    Certification,
    KnownOrganisation,
    KnownPerson,
    OrgAdmin,
    OrgLicence,
    OrgMembership,
    PractitionerLicence,
)
from ..notifications import remember_contact
from .common import now


def person_linked(d: dict) -> None:
    person = db.session.get(KnownPerson, d["person_id"])
    if person is None:
        db.session.add(KnownPerson(person_id=d["person_id"], user_id=d["user_id"]))
    else:
        person.user_id = d["user_id"]
    if d.get("email"):  # the professional's own address, kept for sign-in prompts only
        remember_contact(db.session, d["user_id"], d["email"], "training_event")


def membership_changed(d: dict) -> None:
    m = db.session.get(OrgMembership, (d["organisation_id"], d["person_id"]))
    if m is None:
        m = OrgMembership(organisation_id=d["organisation_id"], person_id=d["person_id"])
        db.session.add(m)
    # the role is kept as a fact and gives no rights in cic (security L8); only an active
    # membership counts (training sends this event when a membership becomes active or ends)
    m.role, m.status = d["role"], d["status"]
    if d.get("user_id"):
        m.user_id = d["user_id"]
        if d["status"] == "active" and db.session.get(KnownPerson, d["person_id"]) is None:
            db.session.add(KnownPerson(person_id=d["person_id"], user_id=d["user_id"]))


def organisation_admin_changed(d: dict) -> None:
    row = db.session.get(OrgAdmin, (d["organisation_id"], d["user_id"]))
    if row is None:
        row = OrgAdmin(organisation_id=d["organisation_id"], user_id=d["user_id"])
        db.session.add(row)
    row.status = d["status"]
    if d.get("organisation_kind"):  # optional: older events do not carry the organisation's kind
        remember_organisation_kind(d["organisation_id"], d["organisation_kind"])


def remember_organisation_kind(organisation_id: str, kind: str) -> None:
    org = db.session.get(KnownOrganisation, organisation_id)
    if org is None:
        db.session.add(KnownOrganisation(organisation_id=organisation_id, kind=kind))
    else:
        org.kind = kind


def practitioner_licence_changed(d: dict) -> None:
    """A Microproject Practitioner Licence started, paused, resumed, renewed or lapsed: the latest
    state per licence decides whether its holder's microprojects may use the Tracker."""
    lic = db.session.get(PractitionerLicence, d["licence_id"])
    if lic is None:
        lic = PractitionerLicence(licence_id=d["licence_id"], person_id=d["person_id"])
        db.session.add(lic)
    lic.person_id, lic.state, lic.valid_until = d["person_id"], d["state"], d["valid_until"]


def practitioner_certified(d: dict) -> None:
    exists = db.session.scalar(
        sa.select(Certification.id).where(
            Certification.person_id == d["person_id"],
            Certification.role == d["role"],
            (Certification.organisation_id == d["organisation_id"])
            if d["organisation_id"] is not None
            else Certification.organisation_id.is_(None),
        )
    )
    if exists is None:
        db.session.add(
            Certification(
                person_id=d["person_id"],
                role=d["role"],
                organisation_id=d["organisation_id"],
                certified_at=d["certified_at"],
            )
        )


def practitioner_certification_withdrawn(d: dict) -> None:
    """A certification training withdrew counts for nothing here from now on (Lead Plus oversight,
    Lead sign-off, fund checks): its mirror row goes. Withdrawal is final on training's side (a
    withdrawn role is never certified again), so a second delivery, or one for a certification
    never mirrored, has nothing to remove."""
    db.session.execute(
        sa.delete(Certification).where(
            Certification.person_id == d["person_id"],
            Certification.role == d["role"],
            (Certification.organisation_id == d["organisation_id"])
            if d["organisation_id"] is not None
            else Certification.organisation_id.is_(None),
        )
    )


def licence_changed(d: dict) -> None:
    lic = db.session.get(OrgLicence, (d["organisation_id"], d["licence_type"]))
    if lic is None:
        lic = OrgLicence(organisation_id=d["organisation_id"], licence_type=d["licence_type"])
        db.session.add(lic)
    lic.status, lic.valid_until = d["status"], d["valid_until"]


def licence_status(organisation_id: str) -> str | None:
    """The Enhanced Licence status cic knows; an `active` one past its valid_until is `expired`."""
    lic = db.session.get(OrgLicence, (organisation_id, REQUIRED_LICENCE))
    if lic is None:
        return None
    if lic.status == "active" and lic.valid_until and lic.valid_until[:10] < now().date().isoformat():
        return "expired"
    return lic.status
