"""microproject plans, practice guidelines versions and acknowledgements

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29

Decisions 0063 (the planning tools: one plan per package, no case data, a supporter who accepts)
and 0064 (the Microproject Practice Guidelines as versioned data, each acknowledgement announced
to cic-tracker, which gates a microproject's first case on it).
"""

from alembic import op
import sqlalchemy as sa

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "microproject_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("package_id", sa.String(length=32), nullable=False),
        sa.Column("practitioner_id", sa.String(length=32), nullable=False),
        sa.Column("idea", sa.Text(), nullable=False),
        sa.Column("focus_areas", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("review_dates", sa.JSON(), nullable=False),
        sa.Column("supporter_person_id", sa.String(length=32), nullable=True),
        sa.Column("supporter_state", sa.String(length=20), nullable=True),
        sa.Column("supporter_asked_at", sa.DateTime(), nullable=True),
        sa.Column("supporter_answered_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], name="fk_microproject_plans_package_id"),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["people.id"], name="fk_microproject_plans_practitioner_id"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_microproject_plans"),
        sa.UniqueConstraint("package_id", name="uq_microproject_plans_package_id"),
    )
    op.create_index(
        "ix_microproject_plans_practitioner_id", "microproject_plans", ["practitioner_id"], unique=False
    )
    op.create_index(
        "ix_microproject_plans_supporter_person_id",
        "microproject_plans",
        ["supporter_person_id"],
        unique=False,
    )
    op.create_table(
        "practice_guidelines_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_practice_guidelines_versions"),
    )
    op.create_table(
        "guidelines_acknowledgements",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_guidelines_acknowledgements_person_id"
        ),
        sa.ForeignKeyConstraint(
            ["version"],
            ["practice_guidelines_versions.version"],
            name="fk_guidelines_acknowledgements_version",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_guidelines_acknowledgements"),
        sa.UniqueConstraint("person_id", "version", name="uq_guidelines_acknowledgements_person_id_version"),
    )
    op.create_index(
        "ix_guidelines_acknowledgements_person_id",
        "guidelines_acknowledgements",
        ["person_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_guidelines_acknowledgements_person_id", table_name="guidelines_acknowledgements")
    op.drop_table("guidelines_acknowledgements")
    op.drop_table("practice_guidelines_versions")
    op.drop_index("ix_microproject_plans_supporter_person_id", table_name="microproject_plans")
    op.drop_index("ix_microproject_plans_practitioner_id", table_name="microproject_plans")
    op.drop_table("microproject_plans")
