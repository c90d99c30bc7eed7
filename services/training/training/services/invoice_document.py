"""An invoice as a document: who issued it (name, address, VAT status from the settings), who it
is billed to, and its lines. What the printable invoice page shows; the API answers it at
GET /api/v1/invoices/{id}."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..extensions import db
from ..models import Invoice, Organisation, Person


@dataclass
class Issuer:
    name: str
    address: str
    vat_registered: bool
    vat_number: str | None
    vat_rate: int | None
    vat_note: str


def issuer() -> Issuer:
    cfg = current_app.config
    number = (cfg.get("INVOICE_VAT_NUMBER") or "").strip() or None
    rate = int(cfg.get("INVOICE_VAT_RATE") or 20) if number else None
    note = (
        f"VAT registration {number}. Prices include VAT at {rate}%."
        if number
        else "Not registered for VAT: no VAT is charged."
    )
    return Issuer(
        name=cfg.get("INVOICE_ISSUER_NAME") or "I Matter Training",
        address=cfg.get("INVOICE_ISSUER_ADDRESS") or "",
        vat_registered=number is not None,
        vat_number=number,
        vat_rate=rate,
        vat_note=note,
    )


def vat_included(total: int, who: Issuer) -> int | None:
    """The VAT within a VAT-inclusive total, in pence (None when not registered)."""
    if not who.vat_registered:
        return None
    return round(total * who.vat_rate / (100 + who.vat_rate))


def billed_to(inv: Invoice) -> dict:
    order = inv.order
    if order.organisation_id:
        org = db.session.get(Organisation, order.organisation_id)
        return {
            "kind": "organisation",
            "id": org.id,
            "name": org.name,
            "organisation_kind": org.kind,
            "contact_email": org.link_contact_email,
        }
    person = db.session.get(Person, order.person_id) if order.person_id else None
    return {
        "kind": "person",
        "id": person.id if person else None,
        "name": person.name if person else None,
        "organisation_kind": None,
        "contact_email": person.email if person else None,
    }


def document(inv: Invoice) -> dict:
    """What the invoice's answer adds to the invoice itself."""
    who = issuer()
    return {
        "issuer": who,
        "billed_to": billed_to(inv),
        "lines": inv.order.lines,
        "vat_included": vat_included(inv.total, who),
    }
