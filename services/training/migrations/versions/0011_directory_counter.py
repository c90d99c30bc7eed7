"""directory_counters: the public directory's total kept in step, not counted per request

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29

Issue 18 P3 (decision 0036): the directory's exact `total` is read from one maintained row
("listed": entries opted in and eligible), changed by `n = n + delta` in the same transaction as
the entries. Backfilled here from the existing entries; `version` changes with every change.
"""

import uuid

from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    counters = op.create_table(
        "directory_counters",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.CheckConstraint("n >= 0", name="ck_directory_counters_n_not_negative"),
        sa.PrimaryKeyConstraint("scope", name="pk_directory_counters"),
    )
    entries = sa.table(
        "directory_entries", sa.column("opted_in", sa.Boolean), sa.column("eligible", sa.Boolean)
    )
    listed = (
        sa.select(sa.func.count())
        .select_from(entries)
        .where(entries.c.opted_in == sa.true(), entries.c.eligible == sa.true())
        .scalar_subquery()
    )
    op.execute(counters.insert().values(scope="listed", n=listed, version=uuid.uuid4().hex))


def downgrade():
    op.drop_table("directory_counters")
