"""parent_mentor_applications: Parent Mentor applications and places (seed 001)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29

Decision 0058. A parent who completed the Foundation courses applies with a motivation and at
least 2 references; a training admin records the interview and decides; the person accepts an
offered place. One open application or place per person (partial unique index).
"""

from alembic import op
import sqlalchemy as sa

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

OPEN = "state IN ('applied', 'offered', 'accepted')"


def upgrade():
    op.create_table(
        "parent_mentor_applications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("interview_outcome", sa.String(length=20), nullable=True),
        sa.Column("interview_at", sa.DateTime(), nullable=True),
        sa.Column("interview_by", sa.String(length=64), nullable=True),
        sa.Column("interview_note", sa.String(length=1000), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_parent_mentor_applications_person_id"),
        sa.PrimaryKeyConstraint("id", name="pk_parent_mentor_applications"),
    )
    op.create_index(
        "ix_parent_mentor_applications_person_id", "parent_mentor_applications", ["person_id"], unique=False
    )
    op.create_index(
        "uq_parent_mentor_applications_open_person",
        "parent_mentor_applications",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade():
    op.drop_index("uq_parent_mentor_applications_open_person", table_name="parent_mentor_applications")
    op.drop_index("ix_parent_mentor_applications_person_id", table_name="parent_mentor_applications")
    op.drop_table("parent_mentor_applications")
