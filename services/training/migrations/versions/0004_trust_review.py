"""trust review: one live pathway item, package account slots, one live practitioner licence

Revision ID: 0004
Revises: 0007
Create Date: 2026-11-29

- pathway_items: a live (not cancelled) item is booked once per person (consolidation sessions,
  bought in parts, excepted: those bookings are serialised by a lock on the person row)
- learning_accounts.slot: a package's online accounts are numbered 1..online_accounts, unique per
  package, so two simultaneous enrolments cannot take the last one twice. Existing package
  accounts are numbered in the order they were opened.
- practitioner_licences: one live licence (applied, active or paused) per person. Licences past
  their term are stored as `lapsed` first (they already read as lapsed).
NOTE: the unique indexes refuse to build over duplicates that the earlier races left; such rows
must be resolved (voided / cancelled) by an operator before upgrading.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0007"
branch_labels = None
depends_on = None

PATHWAY_ITEM_ONCE_WHERE = "state <> 'cancelled' AND item <> 'consolidation'"
LIVE_LICENCE_WHERE = "state IN ('applied', 'active', 'paused')"


def upgrade():
    op.create_index("uq_pathway_items_person_item_live", "pathway_items", ["person_id", "item"], unique=True,
                    postgresql_where=sa.text(PATHWAY_ITEM_ONCE_WHERE), sqlite_where=sa.text(PATHWAY_ITEM_ONCE_WHERE))

    with op.batch_alter_table("learning_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE learning_accounts SET slot = (SELECT COUNT(*) FROM learning_accounts b "
        "WHERE b.package_id = learning_accounts.package_id AND (b.created_at < learning_accounts.created_at "
        "OR (b.created_at = learning_accounts.created_at AND b.id <= learning_accounts.id))) "
        "WHERE package_id IS NOT NULL")
    op.create_index("uq_learning_accounts_package_slot", "learning_accounts", ["package_id", "slot"], unique=True,
                    postgresql_where=sa.text("package_id IS NOT NULL"), sqlite_where=sa.text("package_id IS NOT NULL"))

    op.get_bind().execute(sa.text(
        "UPDATE practitioner_licences SET state = 'lapsed' WHERE state IN ('active', 'paused') "
        "AND valid_until IS NOT NULL AND valid_until <= :now"),
        {"now": datetime.now(timezone.utc).replace(tzinfo=None)})
    op.create_index("uq_practitioner_licences_person_live", "practitioner_licences", ["person_id"], unique=True,
                    postgresql_where=sa.text(LIVE_LICENCE_WHERE), sqlite_where=sa.text(LIVE_LICENCE_WHERE))


def downgrade():
    op.drop_index("uq_practitioner_licences_person_live", table_name="practitioner_licences")
    op.get_bind().execute(sa.text(
        "UPDATE practitioner_licences SET state = 'active' WHERE state = 'lapsed'"))
    op.drop_index("uq_learning_accounts_package_slot", table_name="learning_accounts")
    with op.batch_alter_table("learning_accounts", schema=None) as batch_op:
        batch_op.drop_column("slot")
    op.drop_index("uq_pathway_items_person_item_live", table_name="pathway_items")
