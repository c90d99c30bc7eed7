"""money from payment only: invoice payment records, payment_events, bursary_funds, cancellations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

- invoices: payment_reference, paid_by, voided_by (who recorded a payment or void, and the reference)
- payment_events: a card provider's webhook events, once each by event id
- licences.cancelled_at, packages.cancelled_at: set when the invoice that bought them is voided
- bursary_entries: order_id and state (pending | posted | reversed); a deposit counts once paid
- bursary_funds: one balance row per organisation, spent with a guarded UPDATE. Filled from the
  entries already posted (a fund that the earlier unlocked spending overdrew starts at 0).
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_reference", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("paid_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_invoices_state", ["state"], unique=False)
    op.create_table(
        "payment_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_payment_events_invoice_id"),
        sa.PrimaryKeyConstraint("event_id", name="pk_payment_events"),
    )
    op.create_index("ix_payment_events_invoice_id", "payment_events", ["invoice_id"], unique=False)
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("bursary_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("state", sa.String(length=10), nullable=False, server_default="posted"))
        batch_op.create_index("ix_bursary_entries_order_id", ["order_id"], unique=False)
    op.create_table(
        "bursary_funds",
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.CheckConstraint("balance >= 0", name="ck_bursary_funds_balance_not_negative"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], name="fk_bursary_funds_organisation_id"),
        sa.PrimaryKeyConstraint("organisation_id", name="pk_bursary_funds"),
    )
    op.execute(
        "INSERT INTO bursary_funds (organisation_id, balance) "
        "SELECT organisation_id, CASE WHEN SUM(amount) < 0 THEN 0 ELSE SUM(amount) END "
        "FROM bursary_entries GROUP BY organisation_id")


def downgrade():
    op.drop_table("bursary_funds")
    with op.batch_alter_table("bursary_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_bursary_entries_order_id")
        batch_op.drop_column("state")
        batch_op.drop_column("order_id")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
    op.drop_index("ix_payment_events_invoice_id", table_name="payment_events")
    op.drop_table("payment_events")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_state")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("paid_by")
        batch_op.drop_column("payment_reference")
