"""directory_counters: the public directory's total kept in step, not counted per request

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29

Issue 18 P3 (decision 0036): the directory's exact `total` is read from one maintained row
("listed": entries opted in and eligible), changed by `n = n + delta` in the same transaction as
the entries. Backfilled here from the existing entries; `version` changes with every change.

PostgreSQL only: statistics on the three lowered expressions a search matches (`q`), so the
planner knows how many listed entries a word matches. Without them it guesses a handful for any
`LIKE '%word%'` and sorts every listed entry for the page (54 ms at 50,000 entries for a word
most entries carry); with them it walks `ix_directory_entries_listed` in name order and stops
after the page (0.3 ms), and still scans for a rare word (docs/performance.md section 4c).
"""

import uuid

from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


WORDS = "st_directory_entries_words"


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
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE STATISTICS {WORDS} ON (lower(display_name)), (lower(coalesce(locality, ''))), "
            "(lower(coalesce(summary, ''))) FROM directory_entries"
        )
        op.execute("ANALYZE directory_entries")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {WORDS}")
    op.drop_table("directory_counters")
