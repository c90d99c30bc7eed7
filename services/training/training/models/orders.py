"""Orders, their line items and invoices. Every purchase makes one order and one invoice."""

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from .base import created_column, db, id_column


class Order(db.Model):
    __tablename__ = "orders"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=True, index=True)
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=True, index=True)
    created_by = sa.Column(sa.String(64), nullable=False)
    funding = sa.Column(sa.String(40), nullable=True)
    total = sa.Column(sa.Integer, nullable=False)  # pence
    currency = sa.Column(sa.String(3), nullable=False, default="GBP")
    price_book_version = sa.Column(sa.Integer, nullable=True)
    created_at = created_column()
    lines = relationship(
        "OrderLine", order_by="OrderLine.position", lazy="selectin", cascade="all, delete-orphan"
    )
    invoice = relationship("Invoice", uselist=False, lazy="selectin", back_populates="order")


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    id = id_column()
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.id"), nullable=False, index=True)
    position = sa.Column(sa.Integer, nullable=False)
    code = sa.Column(sa.String(80), nullable=False)
    description = sa.Column(sa.String(300), nullable=False)
    unit_price = sa.Column(sa.Integer, nullable=False)
    quantity = sa.Column(sa.Integer, nullable=False)
    amount = sa.Column(sa.Integer, nullable=False)


class Invoice(db.Model):
    __tablename__ = "invoices"
    id = id_column()
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.id"), nullable=False, unique=True)
    state = sa.Column(sa.String(10), nullable=False, default="issued")  # issued | paid | void
    total = sa.Column(sa.Integer, nullable=False)
    currency = sa.Column(sa.String(3), nullable=False, default="GBP")
    issued_at = created_column()
    paid_at = sa.Column(sa.DateTime, nullable=True)
    voided_at = sa.Column(sa.DateTime, nullable=True)
    # money from payment only: who recorded the payment (or void), when, and the payment reference
    payment_reference = sa.Column(sa.String(100), nullable=True)
    paid_by = sa.Column(sa.String(64), nullable=True)  # gateway user id, or "provider:<name>" for a webhook
    voided_by = sa.Column(sa.String(64), nullable=True)
    order = relationship("Order", back_populates="invoice")
    __table_args__ = (sa.Index("ix_invoices_state", "state"),)


class PaymentEvent(db.Model):
    """A card provider's webhook event, kept once by its id so a replayed event does nothing."""

    __tablename__ = "payment_events"
    event_id = sa.Column(sa.String(100), primary_key=True)
    provider = sa.Column(sa.String(40), nullable=False)
    invoice_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("invoices.id", name="fk_payment_events_invoice_id"),
        nullable=False,
        index=True,
    )
    amount = sa.Column(sa.Integer, nullable=False)
    received_at = created_column()
