"""Paying or voiding an invoice, and what that does to what its order bought (voiding.py).

Above orders (which makes invoices) and voiding (which undoes purchases), so neither imports
the other."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, RuleViolation

from ..extensions import db
from ..models import Invoice
from . import voiding
from .clock import now

# issued -> paid | void; nothing else moves
TRANSITIONS = {("issued", "paid"), ("issued", "void")}


def _current_state(invoice_id: str) -> str:
    return db.session.scalar(
        sa.select(Invoice.state).where(Invoice.id == invoice_id).execution_options(populate_existing=True)
    )


def set_invoice_state(
    invoice: Invoice, state: str, *, user_id: str | None = None, reference: str | None = None
) -> Invoice:
    """Move an issued invoice to paid or void, and apply what that means (a payment posts a
    deposit and credits the affiliate share; a void takes back what the order bought), all in
    the caller's transaction. One guarded UPDATE decides the race: of concurrent pay/void
    requests exactly one moves the invoice; the others see the committed state (the same state
    -> harmless repeat, another -> 409). A refused effect raises and the caller rolls back."""
    if state not in ("paid", "void"):
        raise InvalidInput("state", "Must be paid or void.", detail="Unknown invoice state.")
    at = now()
    values = (
        {"state": "paid", "paid_at": at, "paid_by": user_id, "payment_reference": reference}
        if state == "paid"
        else {"state": "void", "voided_at": at, "voided_by": user_id}
    )
    res = db.session.execute(
        sa.update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.state == "issued")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        current = _current_state(invoice.id)
        db.session.refresh(invoice)
        if current == state:
            return invoice  # repeating the same request is harmless
        db.session.rollback()  # nothing of the refused request is kept
        raise RuleViolation(
            f"An invoice that is {current} cannot become {state}.", unmet=[f"invoice_{current}"]
        )
    try:
        if state == "paid":
            voiding.on_paid(invoice.order)
        else:
            voiding.on_void(invoice.order)
        db.session.flush()
    except Exception:
        db.session.rollback()  # a refused void changes nothing (not even the invoice's state)
        raise
    db.session.refresh(invoice)
    return invoice
