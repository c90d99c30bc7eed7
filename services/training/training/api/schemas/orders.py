"""Orders and invoices as the API answers them (amounts in integer pence)."""

from __future__ import annotations

from marshmallow import fields

from .base import Int, Opt, Out, Str, When, page_of


class OrderLineOut(Out):
    code = Str()
    description = Str()
    unit_price = Int()
    quantity = Int()
    amount = Int()


class InvoiceRefOut(Out):
    id = Str()
    state = Str()
    total = Int()


class OrderOut(Out):
    id = Str()
    organisation_id = Opt()
    person_id = Opt()
    funding = Opt()
    lines = fields.List(fields.Nested(OrderLineOut))
    total = Int()
    currency = Str()
    price_book_version = Opt(fields.Integer)
    invoice = fields.Nested(InvoiceRefOut, allow_none=True)
    created_at = When()


class InvoiceOut(Out):
    id = Str()
    order_id = Str()
    state = Str(metadata={"description": "issued | paid | void"})
    total = Int()
    currency = Str()
    issued_at = When()
    paid_at = When()
    payment_reference = Opt()
    paid_by = Opt()
    voided_at = When()
    voided_by = Opt()


class InvoiceListItemOut(InvoiceOut):
    """An invoice with who it is to and what it is for (the finance list)."""

    organisation_id = Opt(attribute="order.organisation_id")
    person_id = Opt(attribute="order.person_id")
    description = fields.Function(
        lambda inv: "; ".join(ln.description for ln in inv.order.lines)[:300],
        metadata={"description": "the order's line descriptions, joined (at most 300 characters)"},
    )


InvoicePage = page_of(InvoiceListItemOut, "InvoicePage")


class PaymentReceiptOut(Out):
    """What the payment provider's webhook is answered; `invoice` once the payment is applied."""

    received = fields.Boolean()
    applied = fields.Boolean()
    duplicate = fields.Boolean()
    event_id = Str()
    invoice = fields.Nested(InvoiceOut)


class IssuerOut(Out):
    name = Str()
    address = Str()
    vat_registered = fields.Boolean()
    vat_number = Opt()
    vat_rate = Opt(fields.Integer)
    vat_note = Str()


class BilledToOut(Out):
    kind = Str(metadata={"description": "organisation | person"})
    id = Opt()
    name = Opt()
    organisation_kind = Opt()
    contact_email = Opt()


class InvoiceDocumentOut(InvoiceOut):
    """One invoice as a document: its issuer (VAT status from the settings), who it is billed to,
    its lines and, when the issuer is VAT registered, the VAT the total includes."""

    issuer = fields.Nested(IssuerOut)
    billed_to = fields.Nested(BilledToOut)
    lines = fields.List(fields.Nested(OrderLineOut))
    vat_included = Opt(fields.Integer, metadata={"description": "pence; null when not VAT registered"})
