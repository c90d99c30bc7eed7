"""membership consent: invitations (memberships.email, invited_by, responded_at; person_id
nullable), one open membership per organisation and person / email, one enrolment per person and
course, one active seat per organisation and person, package account grants

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Memberships that exist before this revision keep their status ("active" or "ended"): they were
made before invitations existed. New ones start as "invited" until the person accepts.
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_OPEN = "status IN ('invited', 'active')"


def upgrade():
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.alter_column("person_id", existing_type=sa.String(length=32), nullable=True)
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("invited_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("responded_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_memberships_email", ["email"], unique=False)
    op.create_index("uq_membership_open_person", "memberships", ["organisation_id", "person_id"], unique=True,
                    postgresql_where=sa.text(_OPEN + " AND person_id IS NOT NULL"),
                    sqlite_where=sa.text(_OPEN + " AND person_id IS NOT NULL"))
    op.create_index("uq_membership_open_email", "memberships", ["organisation_id", "email"], unique=True,
                    postgresql_where=sa.text(_OPEN + " AND email IS NOT NULL"),
                    sqlite_where=sa.text(_OPEN + " AND email IS NOT NULL"))

    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolment_person_course")
        batch_op.create_index("uq_enrolment_person_course", ["person_id", "course_code"], unique=True,
                              postgresql_where=sa.text("state <> 'cancelled'"),
                              sqlite_where=sa.text("state <> 'cancelled'"))

    op.create_index("uq_seat_assignment_active", "seat_assignments", ["organisation_id", "person_id"], unique=True,
                    postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))

    op.create_table(
        "package_account_grants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("package_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], name="fk_package_account_grants_package_id_packages"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_package_account_grants_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_package_account_grants"),
        sa.UniqueConstraint("package_id", "person_id", name="uq_package_account_grant"),
    )
    with op.batch_alter_table("package_account_grants", schema=None) as batch_op:
        batch_op.create_index("ix_package_account_grants_package_id", ["package_id"], unique=False)
        batch_op.create_index("ix_package_account_grants_person_id", ["person_id"], unique=False)


def downgrade():
    with op.batch_alter_table("package_account_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_package_account_grants_person_id")
        batch_op.drop_index("ix_package_account_grants_package_id")
    op.drop_table("package_account_grants")
    op.drop_index("uq_seat_assignment_active", table_name="seat_assignments")
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("uq_enrolment_person_course")
        batch_op.create_index("ix_enrolment_person_course", ["person_id", "course_code"], unique=False)
    op.drop_index("uq_membership_open_email", table_name="memberships")
    op.drop_index("uq_membership_open_person", table_name="memberships")
    # invitations by email have no person: they cannot survive the NOT NULL below
    op.execute("DELETE FROM memberships WHERE person_id IS NULL")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_memberships_email")
        batch_op.drop_column("responded_at")
        batch_op.drop_column("invited_by")
        batch_op.drop_column("email")
        batch_op.alter_column("person_id", existing_type=sa.String(length=32), nullable=False)
