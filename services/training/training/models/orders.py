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
    lines = relationship("OrderLine", order_by="OrderLine.position", lazy="selectin",
                         cascade="all, delete-orphan")
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
    order = relationship("Order", back_populates="invoice")
