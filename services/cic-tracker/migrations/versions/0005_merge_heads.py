"""merge the two heads 0003 (package types) and 0004 (practice) that both revise 0002: the
branches `catalogue` and `cic16` each added one; nothing changes in the schema

Revision ID: 0005
Revises: 0003, 0004
Create Date: 2026-11-29
"""
revision = "0005"
down_revision = ("0003", "0004")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
