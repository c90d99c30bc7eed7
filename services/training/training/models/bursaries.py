"""An organisation's bursary fund as a ledger: affiliate credits and deposits in, places out."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class BursaryEntry(db.Model):
    __tablename__ = "bursary_entries"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(20), nullable=False)  # affiliate_credit | deposit | place
    amount = sa.Column(sa.Integer, nullable=False)  # pence; positive in, negative out
    enrolment_id = sa.Column(sa.String(32), nullable=True)
    person_id = sa.Column(
        sa.String(32), nullable=True
    )  # the learner a place was spent on / whose fee was credited
    percentage = sa.Column(sa.Integer, nullable=True)  # affiliate credits: the agreed percentage applied
    note = sa.Column(sa.String(300), nullable=True)
    created_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()
    # deposits: the order that invoices them; affiliate credits: the paid course order they came from
    order_id = sa.Column(sa.String(32), nullable=True, index=True)
    # pending (a deposit whose invoice is not paid: not in the balance) | posted | reversed
    state = sa.Column(sa.String(10), nullable=False, default="posted", server_default="posted")


class BursaryFund(db.Model):
    """The spendable balance of one organisation's fund: the sum of its posted entries, kept in
    one row so spending is a guarded UPDATE (never check-then-act, on PostgreSQL and SQLite)."""

    __tablename__ = "bursary_funds"
    organisation_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("organisations.id", name="fk_bursary_funds_organisation_id"),
        primary_key=True,
    )
    balance = sa.Column(sa.Integer, nullable=False, default=0)
    __table_args__ = (sa.CheckConstraint("balance >= 0", name="ck_bursary_funds_balance_not_negative"),)
