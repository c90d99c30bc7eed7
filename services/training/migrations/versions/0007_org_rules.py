"""organisation rulings: seat transfers become requests approved by I Matter Training

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-29

- seat_transfers.state (requested | approved | refused); rows made before this revision moved
  their seats at once, so they are `approved`
- seat_transfers.decided_by, decided_at, reason (who approved or refused, when, why)
- seat_transfers.consent_given_by / consent_given_at become nullable (set on approval)
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("seat_transfers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=500), nullable=True))
        batch_op.alter_column("consent_given_by", existing_type=sa.String(length=200), nullable=True)
        batch_op.alter_column("consent_given_at", existing_type=sa.DateTime(), nullable=True)
    op.execute("UPDATE seat_transfers SET state = 'approved', decided_by = created_by, "
               "decided_at = consent_given_at WHERE state IS NULL")
    with op.batch_alter_table("seat_transfers", schema=None) as batch_op:
        batch_op.alter_column("state", existing_type=sa.String(length=20), nullable=False)
        batch_op.create_index("ix_seat_transfers_state", ["state"], unique=False)


def downgrade():
    op.execute("DELETE FROM seat_credits WHERE transfer_id IN "
               "(SELECT id FROM seat_transfers WHERE state <> 'approved')")
    op.execute("DELETE FROM seat_transfers WHERE state <> 'approved'")
    with op.batch_alter_table("seat_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_seat_transfers_state")
        batch_op.alter_column("consent_given_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("consent_given_by", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column("reason")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("state")
