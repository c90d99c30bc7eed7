"""The card provider's webhook (public: the HMAC signature is the authentication)."""

from __future__ import annotations

import logging

from flask import current_app, request
from sqlalchemy.exc import IntegrityError

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.errors import ApiError, NotFound, RuleViolation

from .. import payments
from ..extensions import db
from ..models import PaymentEvent
from ..services import invoices, orders
from .schemas.orders import PaymentReceiptOut

log = logging.getLogger("training.payments")

blp = Blueprint("payments", __name__, url_prefix="/api/v1/payments", description="Payment provider webhook")


class _Unavailable(ApiError):
    def __init__(self):
        super().__init__("Card payments are not configured (PAYMENT_WEBHOOK_SECRET).", 503)


@blp.route("/webhook", methods=["POST"])
@blp.doc(security=[])
@blp.response(200, PaymentReceiptOut)
def webhook():
    """A payment provider event (public; authenticated by `X-Imatter-Signature: t=<unix>,v1=<hex
    HMAC-SHA256 of "<t>.<raw body>">` with PAYMENT_WEBHOOK_SECRET, 5-minute tolerance).
    `payment.succeeded {event_id, invoice_id, amount, reference}` marks the invoice paid when the
    amount equals its total (409 otherwise). Each event_id is applied once (a repeat -> 200).
    401 bad or stale signature; 503 when no secret is configured. Other event types are ignored."""
    provider = payments.configured_provider(current_app.config)
    if provider is None:
        raise _Unavailable()
    raw = request.get_data(cache=True)
    try:
        event = provider.parse_webhook(raw, request.headers)
    except payments.WebhookRejected as exc:
        log.warning("payment webhook refused: %s", exc)
        raise ApiError("The webhook signature is missing, invalid or too old.", 401) from None
    except payments.WebhookMalformed as exc:
        raise ApiError(str(exc), 400, errors={exc.field: [str(exc)]}) from None
    if event.type != "payment.succeeded":
        return {"received": True, "applied": False, "event_id": event.event_id}
    if db.session.get(PaymentEvent, event.event_id) is not None:
        return {"received": True, "applied": False, "duplicate": True, "event_id": event.event_id}
    inv = orders.get_invoice(event.invoice_id)
    if inv is None:
        raise NotFound("No invoice with that id.")
    if event.amount != inv.total:
        raise RuleViolation("The payment's amount is not the invoice total.", unmet=["payment_amount"])
    db.session.add(
        PaymentEvent(event_id=event.event_id, provider=provider.name, invoice_id=inv.id, amount=event.amount)
    )
    try:
        db.session.flush()  # a concurrent delivery of the same event waits here, then fails
    except IntegrityError:
        db.session.rollback()
        return {"received": True, "applied": False, "duplicate": True, "event_id": event.event_id}
    invoices.set_invoice_state(inv, "paid", user_id=f"provider:{provider.name}", reference=event.reference)
    audit.record("change", "invoice", inv.id, user_id=f"provider:{provider.name}")
    db.session.commit()
    return {
        "received": True,
        "applied": True,
        "event_id": event.event_id,
        "invoice": inv,
    }
