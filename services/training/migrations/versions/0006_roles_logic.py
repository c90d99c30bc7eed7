"""roles logic: the practitioner licence's announced state (training.practitioner_licence.changed)

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-29

- practitioner_licences.announced_state: the state last announced to cic-tracker, so the expiry job
  announces a lapse once. Licences already active or paused are marked announced as such (cic-tracker
  learns their state at the next change or lapse).
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("practitioner_licences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced_state", sa.String(length=20), nullable=True))
        batch_op.create_index("ix_practitioner_licences_announced_state", ["announced_state"], unique=False)
    op.execute("UPDATE practitioner_licences SET announced_state = state WHERE state IN ('active', 'paused')")


def downgrade():
    with op.batch_alter_table("practitioner_licences", schema=None) as batch_op:
        batch_op.drop_index("ix_practitioner_licences_announced_state")
        batch_op.drop_column("announced_state")
