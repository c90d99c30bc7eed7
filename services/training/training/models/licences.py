"""Organisational licences (starter, cpd, enhanced): one row per organisation and type whose
term is extended by each renewal. Status is computed from the dates, never stored; only the
last status announced to cic-tracker is kept, so expiry is announced exactly once."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class Licence(db.Model):
    __tablename__ = "licences"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    type = sa.Column(sa.String(20), nullable=False)  # starter | cpd | enhanced
    valid_from = sa.Column(sa.DateTime, nullable=False)  # start of the current term (UTC)
    valid_until = sa.Column(sa.DateTime, nullable=False)  # end of the current term (exclusive, UTC)
    first_valid_from = sa.Column(sa.DateTime, nullable=False)
    price = sa.Column(sa.Integer, nullable=False)  # pence paid for the current term
    currency = sa.Column(sa.String(3), nullable=False, default="GBP")
    size_band = sa.Column(sa.String(40), nullable=False)
    # online L1-2 account credits the CPD licence grants (from its price-book version); 0 otherwise
    seats_included = sa.Column(sa.Integer, nullable=False, default=0)
    price_book_version = sa.Column(sa.Integer, nullable=False)
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.id"), nullable=True)  # latest term's order
    terms = sa.Column(sa.Integer, nullable=False, default=1)
    announced_status = sa.Column(sa.String(20), nullable=False, default="active")
    # set when the invoice of its current term is voided: the licence is cancelled (not in force)
    cancelled_at = sa.Column(sa.DateTime, nullable=True)
    # seed 000 Starter "organisational agreement to participate": who accepted it and when (the
    # latest term's purchase); `agreement_acceptance` is "explicit" (agreement_accepted: true was
    # sent, as the portal's form does) or "implicit" (the buying admin's request without the field)
    agreement_accepted_by = sa.Column(sa.String(64), nullable=True)
    agreement_accepted_by_name = sa.Column(sa.String(200), nullable=True)
    agreement_accepted_at = sa.Column(sa.DateTime, nullable=True)
    agreement_acceptance = sa.Column(sa.String(20), nullable=True)
    created_at = created_column()
    __table_args__ = (sa.UniqueConstraint("organisation_id", "type", name="uq_licence_org_type"),)
