"""trust: case-slot counter and one code per microproject; gifts pledged/received/void; reviews
declare no conflict; the fund account row that serialises money changes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

- microprojects.cases_count: the cases that count (open, closed, erased), taken with a guarded
  UPDATE (security L9); filled from the cases that exist.
- cases: uq_case_code (microproject_id, code).
- fund_gifts: state (pledged | received | void) with who and when. Gifts recorded before this
  revision were never confirmed as paid (security L6, domain row 105): they become `pledged`,
  and CIC staff mark the ones that really arrived as received.
- fund_reviews.no_conflict: the reviewer's declaration (an award needs two such reviews).
- fund_accounts: one row, bumped by every money change (awards, gifts received or voided).
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("microprojects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cases_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE microprojects SET cases_count = (SELECT count(*) FROM cases "
               "WHERE cases.microproject_id = microprojects.id AND cases.state IN ('open', 'closed', 'erased'))")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_case_code", ["microproject_id", "code"])

    with op.batch_alter_table("fund_gifts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=20), nullable=False, server_default="pledged"))
        batch_op.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("received_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("reference", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_fund_gifts_given_by", ["given_by"], unique=False)

    with op.batch_alter_table("fund_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("no_conflict", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "fund_accounts",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fund_accounts"),
    )


def downgrade():
    op.drop_table("fund_accounts")
    with op.batch_alter_table("fund_reviews", schema=None) as batch_op:
        batch_op.drop_column("no_conflict")
    with op.batch_alter_table("fund_gifts", schema=None) as batch_op:
        batch_op.drop_index("ix_fund_gifts_given_by")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("reference")
        batch_op.drop_column("received_by")
        batch_op.drop_column("received_at")
        batch_op.drop_column("state")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("uq_case_code", type_="unique")
    with op.batch_alter_table("microprojects", schema=None) as batch_op:
        batch_op.drop_column("cases_count")
