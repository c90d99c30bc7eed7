"""email verification: users.email_verified, email_verified_at; email_verification_tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Accounts that exist before this revision are unverified: they verify by asking for a new link
(POST /api/v1/auth/verify-email/resend). Seeded staff accounts are verified by `flask seed`.
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified", sa.Boolean(name="ck_users_email_verified_bool"),
                                      nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(), nullable=True))
    op.create_table(
        "email_verification_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_email_verification_tokens_user_id_users"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_email_verification_tokens"),
    )
    op.create_index("ix_email_verification_tokens_user_id", "email_verification_tokens", ["user_id"])


def downgrade():
    op.drop_index("ix_email_verification_tokens_user_id", table_name="email_verification_tokens")
    op.drop_table("email_verification_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
        batch_op.drop_column("email_verified")
