"""credential tombstones: an erased holder's credential keeps its revoked status-list slot

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29

Decision 0052. Erasing a person (flask dp erase) used to delete their credential rows, which
cleared their bits in the status list (a credential the holder still has read as not revoked) and
freed the slots for reuse. Now the row stays as a tombstone: person and certification set to null,
revoked, its slot kept. So `credentials.person_id` may be null, a certification credential needs
its certification only while it has a holder, and a tombstone is always revoked.
"""

from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KIND_OLD = "kind <> 'certification' OR certification_id IS NOT NULL"
KIND_NEW = "kind <> 'certification' OR certification_id IS NOT NULL OR person_id IS NULL"
TOMBSTONE = "person_id IS NOT NULL OR revoked_at IS NOT NULL"


def upgrade():
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_constraint("ck_credentials_certification_kind", type_="check")
        batch_op.alter_column("person_id", existing_type=sa.String(length=32), nullable=True)
        batch_op.create_check_constraint("ck_credentials_certification_kind", KIND_NEW)
        batch_op.create_check_constraint("ck_credentials_tombstone_revoked", TOMBSTONE)


def downgrade():
    # tombstones have no holder to give back: a downgrade removes them (their bits clear)
    op.execute("DELETE FROM credentials WHERE person_id IS NULL")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_constraint("ck_credentials_tombstone_revoked", type_="check")
        batch_op.drop_constraint("ck_credentials_certification_kind", type_="check")
        batch_op.alter_column("person_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_check_constraint("ck_credentials_certification_kind", KIND_OLD)
