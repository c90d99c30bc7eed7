"""scheduler_runs: when each scheduled job last ran, so a new scheduler leader carries on

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Decision 0053. One row per job of `flask schedule run`: when it last started (a job is due again
its interval after that), when it finished and its exit code. Written by the leader only.
"""

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduler_runs",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("job", name=op.f("pk_scheduler_runs")),
    )


def downgrade():
    op.drop_table("scheduler_runs")
