"""What training tells the other services: one `emit()` into the outbox, and one function per
event type that builds its payload from the model it is about (see the event catalogue,
imatter_shared/events/catalogue.py, for each payload's schema).

Call sites name the event and pass the row; they never build a payload by hand, so each
payload is written once. Everything is added in the caller's transaction and published by the
relay after commit.
"""

from __future__ import annotations

from imatter_shared.messaging import outbox

from ..extensions import db
from ..models import Membership, OutboxMessage, Person
from ..models.certification import Certification
from ..models.licences import Licence
from ..models.packages import FundAward, Package
from ..models.practitioner_licences import PractitionerLicence
from ..models.reflective import CommunityWheelLicence
from ..services.clock import iso

PRODUCER = "training"


def emit(event_type: str, data: dict) -> None:
    """Into the outbox, in the caller's transaction (published by the relay after commit)."""
    outbox.add(db.session, OutboxMessage, event_type, data, producer=PRODUCER)


def person_linked(person: Person) -> None:
    # the email lets cic-tracker tell the person to sign in (professional contact data)
    emit(
        "training.person.linked",
        {"person_id": person.id, "user_id": person.user_id, "email": person.email or None},
    )


def organisation_admin_changed(organisation_id: str, user_id: str, status: str, kind: str | None) -> None:
    emit(
        "training.organisation_admin.changed",
        {"organisation_id": organisation_id, "user_id": user_id, "status": status, "organisation_kind": kind},
    )


def membership_changed(m: Membership, user_id: str | None) -> None:
    emit(
        "training.membership.changed",
        {
            "organisation_id": m.organisation_id,
            "person_id": m.person_id,
            "user_id": user_id,
            "role": m.role,
            "status": m.status,
        },
    )


def licence_changed(lic: Licence, status: str) -> None:
    emit(
        "training.licence.changed",
        {
            "organisation_id": lic.organisation_id,
            "licence_type": lic.type,
            "status": status,
            "valid_until": iso(lic.valid_until),
        },
    )


def practitioner_licence_changed(lic: PractitionerLicence, state: str) -> None:
    emit(
        "training.practitioner_licence.changed",
        {
            "person_id": lic.person_id,
            "licence_id": lic.id,
            "state": state,
            "valid_until": iso(lic.valid_until),
        },
    )


def tool_licence_changed(lic: CommunityWheelLicence, tool: str, status: str) -> None:
    emit(
        "training.tool_licence.changed",
        {
            "licence_id": lic.id,
            "tool": tool,
            "holder": lic.holder,
            "organisation_id": lic.organisation_id,
            "person_id": lic.person_id,
            "status": status,
            "valid_until": iso(lic.valid_until),
        },
    )


def q_consultation_ordered(
    order_id: str, registration_id: str, person: Person, requested_by: str, organisation_id: str | None
) -> None:
    emit(
        "training.q_consultation.ordered",
        {
            "order_id": order_id,
            "registration_id": registration_id,
            "person_id": person.id,
            "user_id": person.user_id,
            "requested_by": requested_by,
            "organisation_id": organisation_id,
        },
    )


def package_types_published(price_book_version: int, package_types: list[dict]) -> None:
    emit(
        "training.package_types.published",
        {"price_book_version": price_book_version, "package_types": package_types},
    )


def package_purchased(p: Package) -> None:
    emit(
        "training.package.purchased",
        {
            "package_id": p.id,
            "package_type": p.type,
            "organisation_id": p.organisation_id,
            "practitioner_id": p.practitioner_id,
            "tracker_uses": p.tracker_uses,
            "online_accounts": p.online_accounts,
        },
    )


def package_cancelled(p: Package) -> None:
    emit(
        "training.package.cancelled",
        {"package_id": p.id, "organisation_id": p.organisation_id, "practitioner_id": p.practitioner_id},
    )


def fund_award_redeemed(award: FundAward) -> None:
    emit(
        "training.fund_award.redeemed",
        {"award_id": award.id, "package_id": award.package_id, "organisation_id": award.organisation_id},
    )


def practitioner_certified(c: Certification) -> None:
    emit(
        "training.practitioner.certified",
        {
            "person_id": c.person_id,
            "role": c.role,
            "organisation_id": c.organisation_id,
            "certified_at": iso(c.certified_at),
        },
    )


def practitioner_certification_withdrawn(c: Certification) -> None:
    # the certified event's facts and when: never who withdrew it or why (the holder's business)
    emit(
        "training.practitioner.certification_withdrawn",
        {
            "person_id": c.person_id,
            "role": c.role,
            "organisation_id": c.organisation_id,
            "withdrawn_at": iso(c.withdrawn_at),
        },
    )


def practice_guidelines_published(row) -> None:
    # the version number and when: cic-tracker needs no more to gate a first case (decision 0064)
    emit(
        "training.practice_guidelines.published",
        {"version": row.version, "published_at": iso(row.published_at)},
    )


def guidelines_acknowledged(ack) -> None:
    # the person, the version and when: never anything about a case (decision 0064)
    emit(
        "training.practitioner.guidelines_acknowledged",
        {"person_id": ack.person_id, "version": ack.version, "acknowledged_at": iso(ack.acknowledged_at)},
    )
