"""Orders and invoices: the organisation admin (or the buyer) sees them; training admins mark
invoices paid or void."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal, require_auth, require_roles
from imatter_shared.web.errors import NotFound

from ..authz import caller
from ..extensions import db
from ..services import invoice_document, invoices, orders
from .common import PageArgs, page
from .schemas.base import With
from .schemas.orders import InvoiceDocumentOut, InvoiceOut, InvoicePage, OrderOut

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Orders and invoices")


def _visible_order(order_id: str, what: str, record_id: str):
    order = orders.get_order(order_id) if order_id else None
    c = caller()
    if order is not None and (
        c.is_training_admin
        or order.organisation_id in c.admin_org_ids
        or (order.person_id and order.person_id == c.person_id)
        or (order.organisation_id is None and order.created_by == c.user_id)
    ):
        return order
    if order is not None:
        log_refusal(what, record_id)
    raise NotFound(f"No {what} with that id.")


@blp.route("/orders/<order_id>")
@require_auth
@blp.response(200, OrderOut)
def one_order(order_id):
    order = _visible_order(order_id, "order", order_id)
    audit.record("read", "order", order.id)
    return order


def _invoice(invoice_id):
    inv = orders.get_invoice(invoice_id)
    order = _visible_order(inv.order_id if inv else "", "invoice", invoice_id)
    return order.invoice


@blp.route("/invoices/<invoice_id>")
@require_auth
@blp.response(200, InvoiceDocumentOut)
def one_invoice(invoice_id):
    """The invoice as a document (the printable invoice page shows it): who issued it and their VAT
    status (settings `INVOICE_ISSUER_*`, `INVOICE_VAT_*`), who it is billed to, and its lines."""
    inv = _invoice(invoice_id)
    audit.record("read", "invoice", inv.id)
    return With(inv, **invoice_document.document(inv))


class PayIn(Schema):
    reference = fields.String(
        required=True,
        validate=v.Length(min=1, max=100),
        metadata={"description": "The payment's reference (bank transfer, cheque or receipt)."},
    )


class InvoiceListArgs(PageArgs):
    state = fields.String(load_default=None, validate=v.OneOf(("issued", "paid", "void")))


@blp.route("/invoices")
@require_roles("training_admin")
@blp.arguments(InvoiceListArgs, location="query")
@blp.response(200, InvoicePage)
def list_invoices(args):
    """Every invoice, newest first, optionally of one state (training admin, finance). List shape."""
    rows, total = orders.invoices_page(args["state"], args["page"], args["per_page"])
    return page(rows, total, args)


def _set_state(invoice_id, state, reference=None):
    inv = orders.get_invoice(invoice_id)
    if inv is None:
        raise NotFound("No invoice with that id.")
    invoices.set_invoice_state(inv, state, user_id=caller().user_id, reference=reference)
    audit.record("change", "invoice", inv.id)
    db.session.commit()
    return inv


@blp.route("/invoices/<invoice_id>/pay", methods=["POST"])
@require_roles("training_admin")
@blp.arguments(PayIn)
@blp.response(200, InvoiceOut)
def pay_invoice(data, invoice_id):
    """Record payment (training admin, finance): the reference is stored with who recorded it and
    when. Paying posts what the money buys (a bursary deposit, the affiliate share of a course fee).
    Paying twice is harmless; a void invoice cannot be paid (409)."""
    return _set_state(invoice_id, "paid", data["reference"].strip() or data["reference"])


@blp.route("/invoices/<invoice_id>/void", methods=["POST"])
@require_roles("training_admin")
@blp.response(200, InvoiceOut)
def void_invoice(invoice_id):
    """Void an unpaid invoice (training admin, finance), taking back what it bought in the same
    transaction: licence cancelled, seats withdrawn (409 seats_in_use), pathway item or enrolment
    cancelled (409 once completed), package cancelled (409 package_in_use once used), pending
    deposit dropped. A refused void changes nothing; voiding twice is harmless; a paid invoice
    cannot be voided (409 invoice_paid)."""
    return _set_state(invoice_id, "void")
