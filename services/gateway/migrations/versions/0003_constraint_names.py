"""constraint names: every primary key, unique and foreign key constraint named by the convention

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Issue 19, decision 0042: the models' metadata now names every constraint (imatter_shared.db_base
NAMING_CONVENTION: pk_<table>, uq_<table>_<columns>, fk_<table>_<columns>; explicit names kept).
Databases built before it hold PostgreSQL's own names (`<table>_pkey`, `<table>_<column>_key`,
`<table>_<column>_fkey`), SQLite's unnamed constraints, or an earlier explicit name that differs;
this gives each listed constraint its name (PostgreSQL: RENAME CONSTRAINT; SQLite: the table is
rebuilt in batch mode), and leaves alone what already has it (a database built after the
convention). Indexes already had their convention names (`ix_<table>_<column>`).

Downgrade keeps the names: no earlier revision refers to the names this one changes.
"""

from alembic import op

from imatter_shared.migration_naming import rename_constraints

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (table, kind, columns, name): what gateway's schema was at 0002, named as the convention names it
RENAMES = [
    ('audit_events', 'pk', ('id',), 'pk_audit_events'),
    ('dp_breaches', 'pk', ('id',), 'pk_dp_breaches'),
    ('email_verification_tokens', 'fk', ('user_id',), 'fk_email_verification_tokens_user_id'),
    ('notifications', 'pk', ('id',), 'pk_notifications'),
    ('notifications', 'uq', ('dedup_key',), 'uq_notifications_dedup_key'),
    ('password_reset_tokens', 'pk', ('token_hash',), 'pk_password_reset_tokens'),
    ('password_reset_tokens', 'fk', ('user_id',), 'fk_password_reset_tokens_user_id'),
    ('rate_limits', 'pk', ('key',), 'pk_rate_limits'),
    ('revoked_tokens', 'pk', ('jti',), 'pk_revoked_tokens'),
    ('users', 'pk', ('id',), 'pk_users'),
    ('users', 'uq', ('email',), 'uq_users_email'),
]


def upgrade():
    rename_constraints(op, RENAMES)


def downgrade():
    pass
