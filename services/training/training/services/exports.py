"""What the CSV downloads hold: each function returns (header, rows) for one export, newest first.

Finance (training admin): orders and invoices; training admin: certifications, organisational and
practitioner licences; a commissioner's admin: the bursary deposits billed to their commissioner
organisation (what they funded). Amounts in pence and in pounds (imatter_shared.web.csv_export).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from imatter_shared.money import pounds

from ..extensions import db
from ..models import Certification, Invoice, Licence, Order, Organisation, Person
from ..models.bursaries import BursaryEntry
from ..models.practitioner_licences import PractitionerLicence
from . import licences, practitioner_licences


def _names(model, ids) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids))).all())


def _lines(order: Order) -> str:
    return "; ".join(f"{ln.quantity} x {ln.description}" for ln in order.lines)


def orders() -> tuple[list[str], list[list]]:
    rows = db.session.scalars(
        sa.select(Order).options(selectinload(Order.lines)).order_by(Order.created_at.desc(), Order.id)
    ).all()
    orgs = _names(Organisation, (o.organisation_id for o in rows))
    header = [
        "order_id", "created_at", "organisation_id", "organisation_name", "person_id", "ordered_by",
        "funding", "lines", "total_pence", "total_gbp", "currency", "price_book_version",
        "invoice_id", "invoice_state", "paid_at", "payment_reference", "voided_at",
    ]  # fmt: skip
    out = []
    for o in rows:
        inv = o.invoice
        out.append(
            [
                o.id,
                o.created_at,
                o.organisation_id,
                orgs.get(o.organisation_id),
                o.person_id,
                o.created_by,
                o.funding,
                _lines(o),
                o.total,
                pounds(o.total),
                o.currency,
                o.price_book_version,
                inv and inv.id,
                inv and inv.state,
                inv and inv.paid_at,
                inv and inv.payment_reference,
                inv and inv.voided_at,
            ]  # fmt: skip
        )
    return header, out


def invoices(state: str | None = None) -> tuple[list[str], list[list]]:
    q = sa.select(Invoice).options(selectinload(Invoice.order).selectinload(Order.lines))
    if state:
        q = q.where(Invoice.state == state)
    rows = db.session.scalars(q.order_by(Invoice.issued_at.desc(), Invoice.id)).all()
    orgs = _names(Organisation, (i.order.organisation_id for i in rows))
    header = [
        "invoice_id", "issued_at", "order_id", "organisation_id", "organisation_name", "person_id",
        "description", "state", "total_pence", "total_gbp", "currency", "paid_at", "payment_reference",
        "paid_by", "voided_at", "voided_by",
    ]  # fmt: skip
    out = [
        [
            i.id,
            i.issued_at,
            i.order_id,
            i.order.organisation_id,
            orgs.get(i.order.organisation_id),
            i.order.person_id,
            _lines(i.order),
            i.state,
            i.total,
            pounds(i.total),
            i.currency,
            i.paid_at,
            i.payment_reference,
            i.paid_by,
            i.voided_at,
            i.voided_by,
        ]  # fmt: skip
        for i in rows
    ]
    return header, out


def certifications() -> tuple[list[str], list[list]]:
    rows = db.session.execute(
        sa.select(Certification, Person.name, Person.email)
        .join(Person, Person.id == Certification.person_id)
        .order_by(Certification.certified_at.desc(), Certification.id)
    ).all()
    orgs = _names(Organisation, (c.organisation_id for c, _, _ in rows))
    header = [
        "certification_id", "person_id", "name", "email", "role", "organisation_id", "organisation_name",
        "status", "basis", "certified_at",
    ]  # fmt: skip
    out = [
        [
            c.id,
            c.person_id,
            name,
            email,
            c.role,
            c.organisation_id,
            orgs.get(c.organisation_id),
            c.status,
            c.basis,
            c.certified_at,
        ]  # fmt: skip
        for c, name, email in rows
    ]
    return header, out


def organisational_licences() -> tuple[list[str], list[list]]:
    rows = db.session.execute(
        sa.select(Licence, Organisation.name)
        .join(Organisation, Organisation.id == Licence.organisation_id)
        .order_by(Organisation.name, Licence.type)
    ).all()
    header = [
        "licence_id", "organisation_id", "organisation_name", "type", "status", "size_band", "valid_from",
        "valid_until", "terms", "price_pence", "price_gbp", "currency", "price_book_version", "order_id",
    ]  # fmt: skip
    out = [
        [
            lic.id,
            lic.organisation_id,
            name,
            lic.type,
            licences.status_of(lic),
            lic.size_band,
            lic.valid_from,
            lic.valid_until,
            lic.terms,
            lic.price,
            pounds(lic.price),
            lic.currency,
            lic.price_book_version,
            lic.order_id,
        ]  # fmt: skip
        for lic, name in rows
    ]
    return header, out


def practitioner_licence_rows() -> tuple[list[str], list[list]]:
    """No microproject idea or focus area: the export says who holds which licence, not what for."""
    rows = db.session.execute(
        sa.select(PractitionerLicence, Person.name)
        .join(Person, Person.id == PractitionerLicence.person_id)
        .order_by(Person.name, PractitionerLicence.created_at)
    ).all()
    header = [
        "practitioner_licence_id", "person_id", "name", "applied_as", "state", "valid_from", "valid_until",
        "approved_at", "renewals",
    ]  # fmt: skip
    out = [
        [
            lic.id,
            lic.person_id,
            name,
            lic.applied_as,
            practitioner_licences.state_of(lic),
            lic.valid_from,
            lic.valid_until,
            lic.approved_at,
            lic.renewals,
        ]  # fmt: skip
        for lic, name in rows
    ]
    return header, out


def funded_places(commissioner_id: str) -> tuple[list[str], list[list]]:
    """The bursary deposits billed to one commissioner organisation: which organisation's fund each
    went to, how much, and whether its invoice is paid (a deposit counts in that fund only once
    paid). Funds pool every deposit, so the places they pay for are not attributed to one funder,
    and a commissioner learns nothing else of another organisation's fund."""
    rows = db.session.execute(
        sa.select(BursaryEntry, Order, Invoice)
        .join(Order, Order.id == BursaryEntry.order_id)
        .outerjoin(Invoice, Invoice.order_id == Order.id)
        .where(BursaryEntry.kind == "deposit", Order.organisation_id == commissioner_id)
        .order_by(BursaryEntry.created_at.desc(), BursaryEntry.id)
    ).all()
    orgs = _names(Organisation, (e.organisation_id for e, _, _ in rows))
    header = [
        "deposit_id", "ordered_at", "funded_organisation_id", "funded_organisation_name", "amount_pence",
        "amount_gbp", "deposit_state", "order_id", "invoice_id", "invoice_state", "paid_at",
    ]  # fmt: skip
    out = [
        [
            e.id,
            e.created_at,
            e.organisation_id,
            orgs.get(e.organisation_id),
            e.amount,
            pounds(e.amount),
            e.state,
            o.id,
            inv and inv.id,
            inv and inv.state,
            inv and inv.paid_at,
        ]  # fmt: skip
        for e, o, inv in rows
    ]
    return header, out
