"""lp_licences: Lead Professional licences (Level 3A, 4, 5, A, B, specialist) and their credentials

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29

Issue 21 (decisions 0055, 0056, 0057). A training admin grants a Lead Professional licence once
its kind's eligibility (data, rules/lp_licence_kinds.py) is met, and revokes it with a reason. One
current licence of a kind and area per person (a partial unique index). Each licence has an Open
Badges 3.0 credential (`credentials.licence_id`, kind "licence"). A Level 3A group records its
practice scope (every existing group ran Everyday Parenting) and the licence it was registered
under (none for groups registered before licences existed), and its audience may now be
`children_and_young_people` (25 characters: the column widens to 40).
"""

from alembic import op
import sqlalchemy as sa

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

CURRENT = "status = 'current'"
KIND_OLD = "kind IN ('certification')"
KIND_NEW = "kind IN ('certification', 'licence')"
LICENCE_KIND = "kind <> 'licence' OR licence_id IS NOT NULL OR person_id IS NULL"


def upgrade():
    op.create_table(
        "lp_licences",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("area", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.String(length=32), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("employment", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('current', 'revoked')", name="ck_lp_licences_status"),
        sa.CheckConstraint(
            "status <> 'revoked' OR (revoked_at IS NOT NULL AND revoke_reason IS NOT NULL)",
            name="ck_lp_licences_revoked_reason",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name="fk_lp_licences_organisation_id"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_lp_licences_person_id"),
        sa.PrimaryKeyConstraint("id", name="pk_lp_licences"),
    )
    op.create_index("ix_lp_licences_person_id", "lp_licences", ["person_id"], unique=False)
    op.create_index("ix_lp_licences_organisation_id", "lp_licences", ["organisation_id"], unique=False)
    op.create_index(
        "uq_lp_licences_current_person_kind_area",
        "lp_licences",
        ["person_id", "kind", "area"],
        unique=True,
        postgresql_where=sa.text(CURRENT),
        sqlite_where=sa.text(CURRENT),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("licence_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key("fk_credentials_licence_id", "lp_licences", ["licence_id"], ["id"])
        batch_op.create_unique_constraint("uq_credentials_licence", ["licence_id"])
        batch_op.drop_constraint("ck_credentials_kind", type_="check")
        batch_op.create_check_constraint("ck_credentials_kind", KIND_NEW)
        batch_op.create_check_constraint("ck_credentials_licence_kind", LICENCE_KIND)
    with op.batch_alter_table("level_3a_groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scope", sa.String(length=40), nullable=False, server_default="everyday_parenting"
            )
        )
        batch_op.add_column(sa.Column("licence_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            "fk_level_3a_groups_licence_id", "lp_licences", ["licence_id"], ["id"]
        )
        batch_op.alter_column(
            "audience",
            existing_type=sa.String(length=20),
            type_=sa.String(length=40),
            existing_nullable=False,
        )


def downgrade():
    # a group for children and young people was registered under a licence this revision brought:
    # without the licences it has no footing (and its audience does not fit the old column)
    op.execute("DELETE FROM level_3a_groups WHERE audience = 'children_and_young_people'")
    with op.batch_alter_table("level_3a_groups", schema=None) as batch_op:
        batch_op.alter_column(
            "audience",
            existing_type=sa.String(length=40),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
        batch_op.drop_constraint("fk_level_3a_groups_licence_id", type_="foreignkey")
        batch_op.drop_column("licence_id")
        batch_op.drop_column("scope")
    # licence credentials have nothing to attest once the licences are gone
    op.execute("DELETE FROM credentials WHERE kind = 'licence'")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_constraint("ck_credentials_licence_kind", type_="check")
        batch_op.drop_constraint("ck_credentials_kind", type_="check")
        batch_op.create_check_constraint("ck_credentials_kind", KIND_OLD)
        batch_op.drop_constraint("uq_credentials_licence", type_="unique")
        batch_op.drop_constraint("fk_credentials_licence_id", type_="foreignkey")
        batch_op.drop_column("licence_id")
    op.drop_index("uq_lp_licences_current_person_kind_area", table_name="lp_licences")
    op.drop_index("ix_lp_licences_organisation_id", table_name="lp_licences")
    op.drop_index("ix_lp_licences_person_id", table_name="lp_licences")
    op.drop_table("lp_licences")
