"""guidelines_versions and guidelines_acknowledgements: the Microproject Practice Guidelines facts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Decision 0064. Learnt from training's `training.practice_guidelines.published` and
`training.practitioner.guidelines_acknowledged` (numbers, person ids and dates only): a
microproject's first case needs its practitioner's acknowledgement of the latest version.
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "guidelines_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_guidelines_versions")),
    )
    op.create_table(
        "guidelines_acknowledgements",
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("acknowledged_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "version", name=op.f("pk_guidelines_acknowledgements")),
    )


def downgrade():
    op.drop_table("guidelines_acknowledgements")
    op.drop_table("guidelines_versions")
