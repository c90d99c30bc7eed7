"""Pathways, bookings, item completion and recognised certifications (people side).

The rules are in rules/pathway.py and the facts and automatic certification in certifying.py;
this module records bookings (through orders, or as a package through packages) and sign-offs,
then lets certifying certify every role whose requirements are all met.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..events import outgoing
from ..extensions import db
from ..models import Person
from ..models.certification import Certification, PathwayItem
from ..notifications import pathway_item_completed
from ..rules import pathway as rules
from ..rules.catalogue import COURSES_BY_CODE
from ..rules.roles import REQUIREMENTS, ROLES_BY_CODE
from . import credentials, directory, orders, packages, policy
from .certifying import certify_after_joining, certify_ready, facts_of, member_org_ids
from .clock import now


def get_person(person_id: str) -> Person:
    p = db.session.get(Person, person_id)
    if p is None:
        raise NotFound("No person with that id.")
    return p


def require_role(role: str) -> dict:
    if role not in ROLES_BY_CODE:
        raise NotFound(f"No practitioner role {role!r}; roles are {', '.join(ROLES_BY_CODE)}.")
    return ROLES_BY_CODE[role]


def pathway(person_id: str, role: str) -> dict:
    require_role(role)
    result = rules.evaluate(role, facts_of(person_id))
    result["person_id"] = person_id
    return result


# ---- bookings ------------------------------------------------------------------------------


def _paying_org(person_id: str, organisation_id: str | None, funding: str | None) -> str | None:
    """The organisation paying (funding=organisation), or None when the person pays."""
    funding = funding or ("organisation" if organisation_id else "self")
    if funding == "self":
        return None
    if organisation_id is None:
        orgs = member_org_ids(person_id)
        if len(orgs) != 1:
            raise InvalidInput(
                "organisation_id",
                "Required when the organisation pays.",
                detail="Say which organisation pays.",
            )
        organisation_id = orgs[0]
    if organisation_id not in member_org_ids(person_id):
        raise RuleViolation("The organisation pays only for its own members.", unmet=["membership"])
    policy.enforce(organisation_id, "learning_pathways")
    policy.enforce(organisation_id, "paid_learning")
    return organisation_id


def book(person_id: str, role: str, data: dict, user_id: str) -> dict | orders.Purchase:
    """Book a requirement towards `role`; the order and invoice are created with it."""
    require_role(role)
    item = data["item"]
    if item not in REQUIREMENTS:
        raise InvalidInput("item", f"Unknown requirement {item!r}.", detail="Unknown requirement code.")
    # one booking of a person at a time (PostgreSQL row lock): the facts below are then current;
    # the partial unique index on pathway_items holds it on SQLite (all but consolidation)
    db.session.execute(sa.select(Person.id).where(Person.id == person_id).with_for_update())
    try:
        booking = rules.check_booking(role, item, facts_of(person_id), data.get("quantity"))
    except rules.BookingRefused as exc:
        if exc.field_error:
            field = "quantity" if exc.detail.startswith("quantity") else "item"
            raise InvalidInput(field, exc.detail) from None
        raise RuleViolation(exc.detail, unmet=exc.unmet) from None
    if booking["kind"] == "package":
        org_id = data.get("organisation_id") or _single_org(person_id)
        pkg = packages.purchase(
            org_id,
            {
                "type": REQUIREMENTS[item]["package_type"],
                "practitioner_id": person_id,
                "funding": data.get("funding") or "organisation",
                "fund_award_id": data.get("fund_award_id"),
            },
            user_id,
        )
        return {
            "id": pkg.id,
            "item": item,
            "role": role,
            "state": "booked",
            "price": pkg.price,
            "currency": "GBP",
            "quantity": 1,
            "package": pkg,
            "order_id": pkg.order_id,
            "order": pkg.order,
        }
    org_id = _paying_org(person_id, data.get("organisation_id"), data.get("funding"))
    title = COURSES_BY_CODE[item]["title"]
    order = orders.create_order(
        organisation_id=org_id,
        person_id=person_id,
        created_by=user_id,
        funding="organisation" if org_id else "self",
        lines=[
            {
                "code": item,
                "description": f"{title} ({ROLES_BY_CODE[role]['title']})",
                "unit_price": booking["unit_price"],
                "quantity": booking["quantity"],
            }
        ],
    )
    it = PathwayItem(
        person_id=person_id,
        item=item,
        role=role,
        organisation_id=org_id,
        quantity=booking["quantity"],
        price=order.total,
        state="booked",
        order_id=order.id,
        booked_by=user_id,
    )
    db.session.add(it)
    db.session.flush()
    return orders.Purchase(it, order)


def _single_org(person_id: str) -> str:
    orgs = member_org_ids(person_id)
    if len(orgs) != 1:
        raise InvalidInput(
            "organisation_id",
            "Required: a package belongs to an organisation.",
            detail="Say which organisation the package is for.",
        )
    return orgs[0]


def complete_item(item_id: str, user_id: str) -> PathwayItem:
    it = db.session.get(PathwayItem, item_id)
    if it is None:
        raise NotFound("No pathway item with that id.")
    if it.state == "cancelled":
        raise RuleViolation(
            "The pathway item was cancelled (its invoice was voided).", unmet=["pathway_item_booked"]
        )
    if it.state != "completed":
        it.state, it.completed_at, it.completed_by = "completed", now(), user_id
        db.session.flush()
        pathway_item_completed(it)  # its email, in the same commit
        certify_ready(it.person_id)
    return it


# ---- certification ---------------------------------------------------------------------------


def recognise(person_id: str, role: str, reason: str, user_id: str) -> Certification:
    """A certification a training admin records (basis `recognised`), not earned on a pathway here."""
    if db.session.scalar(
        sa.select(Certification.id).where(Certification.person_id == person_id, Certification.role == role)
    ):
        raise RuleViolation("This person already holds that certification.", unmet=["already_certified"])
    c = Certification(
        person_id=person_id,
        role=role,
        organisation_id=None,
        status="current",
        certified_at=now(),
        basis="recognised",
        reason=reason.strip(),
        recorded_by=user_id,
    )
    db.session.add(c)
    db.session.flush()
    credentials.issue_for_certification(c)
    outgoing.practitioner_certified(c)
    directory.refresh_eligibility([person_id])
    # a recognised Lead or Lead Plus who is already an accepted member gives their organisations'
    # Child practitioners the Lead oversight now, as when a certified Lead accepts (else nothing
    # would ever certify a Child practitioner whose only missing requirement it was)
    for org_id in member_org_ids(person_id):
        certify_after_joining(person_id, org_id)
    return c


def withdraw(certification_id: str, reason: str, user_id: str) -> Certification:
    """A training admin withdraws a certification (with the reason): it counts for nothing from
    now on (pathways, oversight, the directory), is never certified again automatically, and its
    credential is revoked in the status list, and cic-tracker is told (its mirror of certifications
    drops it: a withdrawn Lead Plus oversees nothing there). Withdrawing twice is refused (409)."""
    c = db.session.scalar(
        sa.select(Certification).where(Certification.id == certification_id).with_for_update()
    )
    if c is None:
        raise NotFound("No certification with that id.")
    if c.status == "withdrawn":
        raise RuleViolation("This certification is already withdrawn.", unmet=["certification_current"])
    c.status, c.withdrawn_at, c.withdrawn_by = "withdrawn", now(), user_id
    c.withdrawal_reason = reason.strip()
    db.session.flush()
    credentials.revoke_for_certification(c)
    outgoing.practitioner_certification_withdrawn(c)  # cic-tracker stops counting it (same commit)
    directory.refresh_eligibility([c.person_id])
    return c


def certifications_of(person_id: str) -> list[Certification]:
    return list(
        db.session.scalars(
            sa.select(Certification)
            .where(Certification.person_id == person_id)
            .options(selectinload(Certification.credential))
            .order_by(Certification.certified_at, Certification.role)
        )
    )


def items_of(person_id: str) -> list[PathwayItem]:
    return list(
        db.session.scalars(
            sa.select(PathwayItem)
            .where(PathwayItem.person_id == person_id)
            .order_by(PathwayItem.created_at, PathwayItem.id)
        )
    )


def items_page(
    state: str | None, person_id: str | None, organisation_id: str | None, page: int, per_page: int
) -> tuple[list[tuple[PathwayItem, str]], int]:
    """Every person's items for training admins, oldest first: (item, person name) pairs."""
    q = sa.select(PathwayItem, Person.name).join(Person, Person.id == PathwayItem.person_id)
    if state:
        q = q.where(PathwayItem.state == state)
    if person_id:
        q = q.where(PathwayItem.person_id == person_id)
    if organisation_id:
        q = q.where(PathwayItem.organisation_id == organisation_id)
    rows, total = rows_page(db.session, q.order_by(PathwayItem.created_at, PathwayItem.id), page, per_page)
    return [(it, name) for it, name in rows], total
