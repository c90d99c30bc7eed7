"""package types: the microproject package types I Matter Training publishes
(`training.package_types.published`); cic-tracker keeps no copy of the package table in code

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "package_types",
        sa.Column("type", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("online_accounts", sa.Integer(), nullable=False),
        sa.Column("tracker_uses", sa.Integer(), nullable=False),
        sa.Column("tracker_uses_per_case", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.Column("price_book_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("type", name="pk_package_types"),
    )


def downgrade():
    op.drop_table("package_types")
