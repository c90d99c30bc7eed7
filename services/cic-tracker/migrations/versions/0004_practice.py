"""practice (issue 16): Tracker uses per case, overseer assignment and acceptance, the
supervised practicum sign-off, practitioner licences and organisation kinds learnt by event,
hubs linked to training's locality_hub organisations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

- microprojects.tracker_uses_per_case: filled as tracker_credits / 3 (the package's uses over
  its 3 cases: Type 1 1, Type 3 2, Type 4 3, Type 2 0).
- microprojects overseer_state/via/assigned_by/assigned_at/accepted_at: an overseer assigned
  before this revision becomes `pending` and must accept (the old route let anyone with
  manager rights name any Lead Plus, security defect of the 2026-11-29 review).
- microprojects completion_requested_at, signed_off_*: awaiting_sign_off -> completed.
- cases.uses_count: filled from the baselines and follow-ups recorded.
- hubs.organisation_id (uq_hub_organisation); known_organisations; practitioner_licences.
(The integrator re-chains this onto the catalogue revision 0003.)
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("microprojects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracker_uses_per_case", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("overseer_state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("overseer_via", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("overseer_assigned_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("overseer_assigned_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("overseer_accepted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("completion_requested_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("signed_off_by_person_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("signed_off_by_user_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("signed_off_as", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("signed_off_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE microprojects SET tracker_uses_per_case = tracker_credits / 3")
    op.execute("UPDATE microprojects SET overseer_state = 'pending' WHERE overseer_person_id IS NOT NULL")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uses_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE cases SET uses_count = baselines_count + follow_ups_count")

    with op.batch_alter_table("hubs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint("uq_hub_organisation", ["organisation_id"])

    op.create_table(
        "known_organisations",
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", name="pk_known_organisations"),
    )
    op.create_table(
        "practitioner_licences",
        sa.Column("licence_id", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("valid_until", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("licence_id", name="pk_practitioner_licences"),
    )
    with op.batch_alter_table("practitioner_licences", schema=None) as batch_op:
        batch_op.create_index("ix_practitioner_licences_person_id", ["person_id"], unique=False)


def downgrade():
    with op.batch_alter_table("practitioner_licences", schema=None) as batch_op:
        batch_op.drop_index("ix_practitioner_licences_person_id")
    op.drop_table("practitioner_licences")
    op.drop_table("known_organisations")
    with op.batch_alter_table("hubs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_hub_organisation", type_="unique")
        batch_op.drop_column("organisation_id")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("uses_count")
    with op.batch_alter_table("microprojects", schema=None) as batch_op:
        for col in ("signed_off_at", "signed_off_as", "signed_off_by_user_id", "signed_off_by_person_id",
                    "completion_requested_at", "overseer_accepted_at", "overseer_assigned_at",
                    "overseer_assigned_by", "overseer_via", "overseer_state", "tracker_uses_per_case"):
            batch_op.drop_column(col)
