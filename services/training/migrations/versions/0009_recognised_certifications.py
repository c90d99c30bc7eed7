"""certifications recorded by a training admin: basis (pathway | recognised), reason, recorded_by

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

I Matter Training's own team (the Lead Plus practitioners who oversee and sign off practicums)
was certified before this system existed: a training admin records such a certification with
the reason. Existing certifications were earned on a pathway here.
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis", sa.String(length=20), nullable=False, server_default="pathway"))
        batch_op.add_column(sa.Column("reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("recorded_by", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.drop_column("recorded_by")
        batch_op.drop_column("reason")
        batch_op.drop_column("basis")
