"""study support: series, sessions, bookings, buddies; study supporter references and interview

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29

Decisions 0060 (study support sessions and workshops, the cap per series held by CHECK
constraints and guarded counters) and 0061 (volunteer study supporters: references, interview,
decision, buddy assignment). Existing supporter applications keep their state; their new columns
are empty.
"""

from alembic import op
import sqlalchemy as sa

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("study_supporter_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("references", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("interview_outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("interview_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("interview_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("interview_note", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=64), nullable=True))
    # one open application or place per person (it was checked in code only): an older duplicate,
    # which only a race could make, is closed as declined by this migration before the index
    apps = sa.table(
        "study_supporter_applications",
        sa.column("id", sa.String),
        sa.column("person_id", sa.String),
        sa.column("state", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("decided_at", sa.DateTime),
        sa.column("decided_by", sa.String),
    )
    conn = op.get_bind()
    open_states = ("applied", "interviewed", "accepted")
    kept: set[str] = set()
    for app_id, person_id in conn.execute(
        sa.select(apps.c.id, apps.c.person_id)
        .where(apps.c.state.in_(open_states))
        .order_by(apps.c.person_id, apps.c.created_at.desc(), apps.c.id)
    ):
        if person_id in kept:
            conn.execute(
                apps.update()
                .where(apps.c.id == app_id)
                .values(state="declined", decided_at=sa.func.now(), decided_by="migration 0019")
            )
        kept.add(person_id)
    op.create_index(
        "uq_study_supporter_applications_open_person",
        "study_supporter_applications",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("state IN ('applied', 'interviewed', 'accepted')"),
        sqlite_where=sa.text("state IN ('applied', 'interviewed', 'accepted')"),
    )

    op.create_table(
        "study_support_series",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("host_person_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("course_code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("level_3a_group_id", sa.String(length=32), nullable=True),
        sa.Column("max_sessions", sa.Integer(), nullable=False),
        sa.Column("places_per_session", sa.Integer(), nullable=False),
        sa.Column("sessions_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "sessions_count >= 0 AND sessions_count <= max_sessions",
            name="ck_study_support_series_sessions_within_cap",
        ),
        sa.ForeignKeyConstraint(
            ["host_person_id"], ["people.id"], name="fk_study_support_series_host_person_id"
        ),
        sa.ForeignKeyConstraint(
            ["level_3a_group_id"], ["level_3a_groups.id"], name="fk_study_support_series_level_3a_group_id"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name="fk_study_support_series_organisation_id"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_study_support_series"),
    )
    op.create_index("ix_study_support_series_host_person_id", "study_support_series", ["host_person_id"])
    op.create_index("ix_study_support_series_organisation_id", "study_support_series", ["organisation_id"])

    op.create_table(
        "study_support_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("series_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), server_default="0", nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= places", name="ck_study_support_sessions_booked_within_places"
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["study_support_series.id"], name="fk_study_support_sessions_series_id"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_study_support_sessions"),
        sa.UniqueConstraint("series_id", "number", name="uq_study_support_sessions_series_id_number"),
    )
    op.create_index("ix_study_support_sessions_series_id", "study_support_sessions", ["series_id"])

    op.create_table(
        "study_support_bookings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("booked_by", sa.String(length=64), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_study_support_bookings_person_id"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["study_support_sessions.id"], name="fk_study_support_bookings_session_id"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_study_support_bookings"),
    )
    op.create_index("ix_study_support_bookings_person_id", "study_support_bookings", ["person_id"])
    op.create_index("ix_study_support_bookings_session_id", "study_support_bookings", ["session_id"])
    op.create_index(
        "uq_study_support_bookings_live_person",
        "study_support_bookings",
        ["session_id", "person_id"],
        unique=True,
        postgresql_where=sa.text("state <> 'cancelled'"),
        sqlite_where=sa.text("state <> 'cancelled'"),
    )

    op.create_table(
        "study_support_buddies",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("series_id", sa.String(length=32), nullable=False),
        sa.Column("supporter_application_id", sa.String(length=32), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"], ["study_support_series.id"], name="fk_study_support_buddies_series_id"
        ),
        sa.ForeignKeyConstraint(
            ["supporter_application_id"],
            ["study_supporter_applications.id"],
            name="fk_study_support_buddies_supporter_application_id",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_study_support_buddies"),
        sa.UniqueConstraint(
            "series_id",
            "supporter_application_id",
            name="uq_study_support_buddies_series_id_supporter_application_id",
        ),
    )
    op.create_index("ix_study_support_buddies_series_id", "study_support_buddies", ["series_id"])
    op.create_index(
        "ix_study_support_buddies_supporter_application_id",
        "study_support_buddies",
        ["supporter_application_id"],
    )


def downgrade():
    op.drop_table("study_support_buddies")
    op.drop_table("study_support_bookings")
    op.drop_table("study_support_sessions")
    op.drop_table("study_support_series")
    op.drop_index("uq_study_supporter_applications_open_person", table_name="study_supporter_applications")
    with op.batch_alter_table("study_supporter_applications", schema=None) as batch_op:
        for name in ("decided_by", "interview_note", "interview_by", "interview_at", "interview_outcome", "references"):
            batch_op.drop_column(name)
