"""Orders and invoices: every purchase makes an order with line items and one invoice.

States of an invoice: issued -> paid, issued -> void. An order keeps the price-book version
it was sold at, so later edits of the price book never change what was charged."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Invoice, Order, OrderLine
from . import price_book
from .clock import now

FREE_FUNDING = ("fund_award",)  # paid for by a Microproject Development Fund award on the CIC side


def create_order(
    *,
    organisation_id: str | None,
    person_id: str | None,
    created_by: str,
    lines: list[dict],
    funding: str | None = None,
    price_book_version: int | None = None,
) -> Order:
    """lines: [{"code", "description", "unit_price" (pence), "quantity"}]. Adds the order, its
    lines and an invoice ('issued', or 'paid' at once when nothing is owed or a fund award
    pays). Records the price-book version its prices came from (`price_book_version`, by default
    the current one). Does not commit."""
    if not lines:
        raise ValueError("an order needs at least one line")
    order = Order(
        organisation_id=organisation_id,
        person_id=person_id,
        created_by=created_by,
        funding=funding,
        currency="GBP",
        price_book_version=price_book_version or price_book.current_version_number(),
        total=0,
    )
    total = 0
    for pos, line in enumerate(lines):
        unit, qty = int(line["unit_price"]), int(line["quantity"])
        if unit < 0 or qty < 1:
            raise ValueError("unit_price must be >= 0 and quantity >= 1")
        order.lines.append(
            OrderLine(
                position=pos,
                code=line["code"],
                description=line["description"][:300],
                unit_price=unit,
                quantity=qty,
                amount=unit * qty,
            )
        )
        total += unit * qty
    order.total = total
    paid = total == 0 or funding in FREE_FUNDING
    order.invoice = Invoice(
        total=total, currency="GBP", state="paid" if paid else "issued", paid_at=now() if paid else None
    )
    db.session.add(order)
    db.session.flush()
    return order


class Purchase:
    """What buying something answers: the thing bought (its attributes read through) with the
    order that charged it (none when nothing was charged: the answer then has no `order`) and any
    values the answer adds (`extra`). The response schema dumps it like the thing itself."""

    def __init__(self, bought, order: Order | None = None, **extra):
        self.bought = bought  # not `item`: a pathway item has an `item` of its own
        if order is not None:
            self.order = order
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self.bought, name)


def get_order(order_id: str) -> Order | None:
    return db.session.get(Order, order_id)


def get_invoice(invoice_id: str) -> Invoice | None:
    return db.session.get(Invoice, invoice_id)


def orders_of_organisation(organisation_id: str, page: int, per_page: int) -> tuple[list[Order], int]:
    q = sa.select(Order).where(Order.organisation_id == organisation_id)
    return rows_page(db.session, q.order_by(Order.created_at.desc(), Order.id), page, per_page)


def invoices_page(state: str | None, page: int, per_page: int) -> tuple[list[Invoice], int]:
    """Every invoice for training admins (finance), newest first, optionally of one state."""
    q = sa.select(Invoice)
    if state:
        q = q.where(Invoice.state == state)
    return rows_page(db.session, q.order_by(Invoice.issued_at.desc(), Invoice.id), page, per_page)
