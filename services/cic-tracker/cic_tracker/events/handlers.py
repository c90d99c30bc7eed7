"""Integration events cic-tracker consumes: an explicit map of type -> handler.

Handlers get (session, envelope), write through the session and never commit: the
consumer commits the handler's writes together with the inbox row (exactly-once effect).
Only ids, roles, statuses and dates are kept (see models/directory.py).
"""

import sqlalchemy as sa

from ..models import (
    Certification,
    KnownOrganisation,
    KnownPerson,
    OrgAdmin,
    OrgLicence,
    OrgMembership,
    PractitionerLicence,
)
from ..services import fund, tracker


def on_package_purchased(session, envelope):
    """A package sale opens the practitioner's microproject workspace with its Tracker credits.
    Quantities the package type cannot carry are dead-lettered (Reject), never stored (L13)."""
    tracker.open_workspace(dict(envelope.data))


def on_package_cancelled(session, envelope):
    """Training voided the package's invoice before any use: close its microproject."""
    tracker.close_cancelled(envelope.data["package_id"])


def on_person_linked(session, envelope):
    d = envelope.data
    person = session.get(KnownPerson, d["person_id"])
    if person is None:
        session.add(KnownPerson(person_id=d["person_id"], user_id=d["user_id"]))
    else:
        person.user_id = d["user_id"]
    if d.get("email"):  # issue 12: the professional's own address, for sign-in prompts only
        from ..notifications import remember_contact

        remember_contact(session, d["user_id"], d["email"], "training_event")


def on_membership_changed(session, envelope):
    d = envelope.data
    m = session.get(OrgMembership, (d["organisation_id"], d["person_id"]))
    if m is None:
        m = OrgMembership(organisation_id=d["organisation_id"], person_id=d["person_id"])
        session.add(m)
    # the role is kept as a fact and gives no rights in cic (security L8); only an active
    # membership counts (training sends this event when a membership becomes active or ends)
    m.role, m.status = d["role"], d["status"]
    if d.get("user_id"):
        m.user_id = d["user_id"]
        if d["status"] == "active" and session.get(KnownPerson, d["person_id"]) is None:
            session.add(KnownPerson(person_id=d["person_id"], user_id=d["user_id"]))


def on_organisation_admin_changed(session, envelope):
    d = envelope.data
    row = session.get(OrgAdmin, (d["organisation_id"], d["user_id"]))
    if row is None:
        row = OrgAdmin(organisation_id=d["organisation_id"], user_id=d["user_id"])
        session.add(row)
    row.status = d["status"]
    if d.get("organisation_kind"):  # issue 16: the organisation's kind (optional field)
        remember_organisation_kind(session, d["organisation_id"], d["organisation_kind"])


def remember_organisation_kind(session, organisation_id: str, kind: str) -> None:
    org = session.get(KnownOrganisation, organisation_id)
    if org is None:
        session.add(KnownOrganisation(organisation_id=organisation_id, kind=kind))
    else:
        org.kind = kind


def on_practitioner_licence_changed(session, envelope):
    """A Microproject Practitioner Licence started, paused, resumed, renewed or lapsed: the latest
    state per licence decides whether its holder's microprojects may use the Tracker."""
    d = envelope.data
    lic = session.get(PractitionerLicence, d["licence_id"])
    if lic is None:
        lic = PractitionerLicence(licence_id=d["licence_id"], person_id=d["person_id"])
        session.add(lic)
    lic.person_id, lic.state, lic.valid_until = d["person_id"], d["state"], d["valid_until"]


def on_practitioner_certified(session, envelope):
    d = envelope.data
    exists = session.scalar(
        sa.select(Certification.id).where(
            Certification.person_id == d["person_id"],
            Certification.role == d["role"],
            (Certification.organisation_id == d["organisation_id"])
            if d["organisation_id"] is not None
            else Certification.organisation_id.is_(None),
        )
    )
    if exists is None:
        session.add(
            Certification(
                person_id=d["person_id"],
                role=d["role"],
                organisation_id=d["organisation_id"],
                certified_at=d["certified_at"],
            )
        )


def on_licence_changed(session, envelope):
    d = envelope.data
    lic = session.get(OrgLicence, (d["organisation_id"], d["licence_type"]))
    if lic is None:
        lic = OrgLicence(organisation_id=d["organisation_id"], licence_type=d["licence_type"])
        session.add(lic)
    lic.status, lic.valid_until = d["status"], d["valid_until"]


def on_fund_award_redeemed(session, envelope):
    fund.redeem_award(envelope.data["award_id"], envelope.data["package_id"])


# reflective tools (issue 11): community wheel licence facts; Q registration orders -> bookings
def on_tool_licence_changed(session, envelope):
    from ..services import reflective

    reflective.on_tool_licence_changed(dict(envelope.data))


def on_q_consultation_ordered(session, envelope):
    from ..services import reflective

    reflective.on_q_consultation_ordered(dict(envelope.data))


def on_package_types_published(session, envelope):
    """training published a price-book version: keep its package types (latest version wins)."""
    from ..services.package_types import apply_published

    apply_published(dict(envelope.data))


HANDLERS = {
    "training.package_types.published": on_package_types_published,  # issue 16
    "training.package.purchased": on_package_purchased,
    "training.package.cancelled": on_package_cancelled,
    "training.person.linked": on_person_linked,
    "training.membership.changed": on_membership_changed,
    "training.organisation_admin.changed": on_organisation_admin_changed,
    "training.practitioner.certified": on_practitioner_certified,
    "training.licence.changed": on_licence_changed,
    "training.practitioner_licence.changed": on_practitioner_licence_changed,  # issue 16
    "training.fund_award.redeemed": on_fund_award_redeemed,
    "training.tool_licence.changed": on_tool_licence_changed,  # issue 11
    "training.q_consultation.ordered": on_q_consultation_ordered,  # issue 11
}
