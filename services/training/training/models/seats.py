"""Online L1-2 account seats of an organisation.

Purchased and transferred seats are a ledger of signed counts (nothing is ever rewritten);
the CPD licence's included credits come from the licence itself while it is active.
An assignment holds one seat for one member until it is released."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class SeatCredit(db.Model):
    __tablename__ = "seat_credits"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    source = sa.Column(sa.String(20), nullable=False)  # purchase | transfer_in | transfer_out
    count = sa.Column(sa.Integer, nullable=False)  # negative for transfer_out
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.id"), nullable=True)
    transfer_id = sa.Column(sa.String(32), nullable=True, index=True)
    created_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()


class SeatTransfer(db.Model):
    """Seats moved outside the organisation. The sending organisation's admin requests it;
    I Matter Training (a training admin) gives or refuses consent (DOMAIN "Rulings" -> Money).
    On approval the seats move and the top-up fee is invoiced to the receiving organisation
    (`order_id`). `consent_given_by`/`consent_given_at`: who approved and when."""

    __tablename__ = "seat_transfers"
    id = id_column()
    from_organisation_id = sa.Column(
        sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True
    )
    to_organisation_id = sa.Column(
        sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True
    )
    count = sa.Column(sa.Integer, nullable=False)
    state = sa.Column(sa.String(20), nullable=False, default="requested")  # requested | approved | refused
    consent_given_by = sa.Column(sa.String(200), nullable=True)
    consent_given_at = sa.Column(sa.DateTime, nullable=True)
    decided_by = sa.Column(sa.String(64), nullable=True)
    decided_at = sa.Column(sa.DateTime, nullable=True)
    reason = sa.Column(sa.String(500), nullable=True)
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.id"), nullable=True)
    created_by = sa.Column(sa.String(64), nullable=False)
    created_at = created_column()
    __table_args__ = (sa.Index("ix_seat_transfers_state", "state"),)


class SeatAssignment(db.Model):
    __tablename__ = "seat_assignments"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    status = sa.Column(sa.String(20), nullable=False, default="active")  # active | released
    assigned_at = created_column()
    released_at = sa.Column(sa.DateTime, nullable=True)
    # one active seat per person and organisation, even under concurrent assignments
    __table_args__ = (
        sa.Index(
            "uq_seat_assignment_active",
            "organisation_id",
            "person_id",
            unique=True,
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        ),
    )
