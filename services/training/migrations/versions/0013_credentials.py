"""credentials: an Open Badges 3.0 credential per certification; certifications can be withdrawn

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29

Issue 21 (decisions 0050, 0051). A credential row holds its public id, its slot in the
revocation status list (a random unused index of 131,072) and when it was issued and revoked;
the signed credential is made from it on download. Every certification already recorded gets
its credential here, issued at its certification time. A certification withdrawn by a training
admin records when, by whom and why, and its credential is revoked.
"""

import random
import uuid

from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SIZE = 131_072


def upgrade():
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.String(length=300), nullable=True))
    credentials = op.create_table(
        "credentials",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="certification"),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("certification_id", sa.String(length=32), nullable=True),
        sa.Column("status_list", sa.String(length=20), nullable=False, server_default="1"),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            f"status_index >= 0 AND status_index < {SIZE}", name="ck_credentials_status_index_range"
        ),
        sa.CheckConstraint("kind IN ('certification')", name="ck_credentials_kind"),
        sa.CheckConstraint(
            "kind <> 'certification' OR certification_id IS NOT NULL",
            name="ck_credentials_certification_kind",
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_credentials_person_id"),
        sa.ForeignKeyConstraint(
            ["certification_id"], ["certifications.id"], name="fk_credentials_certification_id"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
        sa.UniqueConstraint("certification_id", name="uq_credentials_certification"),
        sa.UniqueConstraint("status_list", "status_index", name="uq_credentials_status_slot"),
    )
    op.create_index("ix_credentials_person_id", "credentials", ["person_id"], unique=False)

    certs = sa.table(
        "certifications",
        sa.column("id", sa.String),
        sa.column("person_id", sa.String),
        sa.column("certified_at", sa.DateTime),
        sa.column("status", sa.String),
    )
    rows = op.get_bind().execute(sa.select(certs.c.id, certs.c.person_id, certs.c.certified_at)).all()
    slots = random.SystemRandom().sample(range(SIZE), len(rows))  # herd privacy: random, not in order
    now = sa.func.now()
    for (cert_id, person_id, certified_at), slot in zip(rows, slots, strict=True):
        op.execute(
            credentials.insert().values(
                id=uuid.uuid4().hex,
                kind="certification",
                person_id=person_id,
                certification_id=cert_id,
                status_list="1",
                status_index=slot,
                issued_at=certified_at,
                revoked_at=None,
                created_at=now,
            )
        )


def downgrade():
    op.drop_index("ix_credentials_person_id", table_name="credentials")
    op.drop_table("credentials")
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_at")
