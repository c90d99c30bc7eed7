"""licences: who accepted the Starter's organisational agreement to participate, and when

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

Seed 000: the Starter Licence "includes: organisational agreement to participate" (domain review
row 3). The agreement text is fixed in training's licensing terms; the licence keeps who accepted
it and when, and whether the acceptance was explicit (`agreement_accepted: true`) or implicit (the
buying admin's request without the field). Existing Starter licences carry none (not recorded).
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement_accepted_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("agreement_accepted_by_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("agreement_accepted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("agreement_acceptance", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.drop_column("agreement_acceptance")
        batch_op.drop_column("agreement_accepted_at")
        batch_op.drop_column("agreement_accepted_by_name")
        batch_op.drop_column("agreement_accepted_by")
