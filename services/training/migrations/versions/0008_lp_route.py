"""the Lead Professional route: years enforced by dates with recorded overrides, the interview's
recorder and note, the backing senior leader, log book entries, one open application per person

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-29

- lead_professional_applications: senior_leader_name/role, interview_by, interview_note; a partial
  unique index so a person holds one open application or place (applied, trainee, implementation,
  approved) even when two requests race
- lead_professional_overrides: a training admin's early release from the trainee or implementation
  year, with the reason, who and when (once per application and year)
- obligation_records: title (a log book entry's heading) and recorded_by
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN = "state IN ('applied', 'trainee', 'implementation', 'approved')"


def upgrade():
    with op.batch_alter_table("lead_professional_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("senior_leader_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("senior_leader_role", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("interview_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("interview_note", sa.String(length=1000), nullable=True))
    op.create_index("uq_lp_applications_open_person", "lead_professional_applications", ["person_id"],
                    unique=True, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_table(
        "lead_professional_overrides",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("application_id", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("year_until", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_by_name", sa.String(length=254), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["lead_professional_applications.id"],
                                name="fk_lead_professional_overrides_application_id"),
        sa.PrimaryKeyConstraint("id", name="pk_lead_professional_overrides"),
        sa.UniqueConstraint("application_id", "rule", name="uq_lp_overrides_application_rule"),
    )
    op.create_index("ix_lead_professional_overrides_application_id", "lead_professional_overrides",
                    ["application_id"], unique=False)
    with op.batch_alter_table("obligation_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("recorded_by", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("obligation_records", schema=None) as batch_op:
        batch_op.drop_column("recorded_by")
        batch_op.drop_column("title")
    op.drop_index("ix_lead_professional_overrides_application_id", table_name="lead_professional_overrides")
    op.drop_table("lead_professional_overrides")
    op.drop_index("uq_lp_applications_open_person", table_name="lead_professional_applications")
    with op.batch_alter_table("lead_professional_applications", schema=None) as batch_op:
        batch_op.drop_column("interview_note")
        batch_op.drop_column("interview_by")
        batch_op.drop_column("senior_leader_role")
        batch_op.drop_column("senior_leader_name")
