"""Study support (seed 001 "supported learning workshops in house or in partnership with us"; seed
002 "Lead professionals ... sometimes providing study support", "do not provide unlimited support"):
a series of study-support sessions or workshops for one course, hosted by a Lead Professional
(trainee, implementation year or approved) or a certified Link practitioner for their organisation;
learners book places; the host records attendance; volunteer study supporters are assigned as buddies.

The caps are held in the database: a series' `sessions_count` never passes its `max_sessions` and a
session's `booked` never passes its `places` (CHECK constraints; both counters move by guarded
UPDATEs, so concurrent requests for the last place or session cannot both win)."""

import sqlalchemy as sa

from .base import created_column, db, id_column

LIVE_BOOKING = "state <> 'cancelled'"


class StudySupportSeries(db.Model):
    __tablename__ = "study_support_series"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    host_person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(20), nullable=False)  # study_support | workshop
    delivery = sa.Column(sa.String(20), nullable=False)  # in_house | partnership
    course_code = sa.Column(sa.String(40), nullable=False)
    title = sa.Column(sa.String(200), nullable=False)
    starts_on = sa.Column(sa.Date, nullable=False)
    # the registered Level 3A group the series supports, if any (that group already counted once
    # towards "support at least 2 Foundation A courses a year")
    level_3a_group_id = sa.Column(sa.String(32), sa.ForeignKey("level_3a_groups.id"), nullable=True)
    max_sessions = sa.Column(sa.Integer, nullable=False)
    places_per_session = sa.Column(sa.Integer, nullable=False)
    sessions_count = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    # when its first delivered session counted it towards the host's Foundation A courses
    counted_at = sa.Column(sa.DateTime, nullable=True)
    created_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()
    __table_args__ = (
        sa.CheckConstraint(
            "sessions_count >= 0 AND sessions_count <= max_sessions",
            name="ck_study_support_series_sessions_within_cap",
        ),
    )


class StudySupportSession(db.Model):
    __tablename__ = "study_support_sessions"
    id = id_column()
    series_id = sa.Column(sa.String(32), sa.ForeignKey("study_support_series.id"), nullable=False, index=True)
    number = sa.Column(sa.Integer, nullable=False)  # 1, 2, ... within its series
    starts_at = sa.Column(sa.DateTime, nullable=False)
    duration_minutes = sa.Column(sa.Integer, nullable=False)
    online = sa.Column(sa.Boolean, nullable=False)
    place = sa.Column(sa.String(200), nullable=True)  # a room or address; none when online
    places = sa.Column(sa.Integer, nullable=False)
    booked = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    delivered_at = sa.Column(sa.DateTime, nullable=True)  # attendance recorded
    delivered_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()
    __table_args__ = (
        sa.UniqueConstraint("series_id", "number", name="uq_study_support_sessions_series_id_number"),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= places", name="ck_study_support_sessions_booked_within_places"
        ),
    )


class StudySupportBooking(db.Model):
    __tablename__ = "study_support_bookings"
    id = id_column()
    session_id = sa.Column(
        sa.String(32), sa.ForeignKey("study_support_sessions.id"), nullable=False, index=True
    )
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    state = sa.Column(sa.String(20), nullable=False)  # booked | cancelled | attended | absent
    booked_by = sa.Column(sa.String(64), nullable=True)
    cancelled_at = sa.Column(sa.DateTime, nullable=True)
    created_at = created_column()
    # one live booking per person and session: a double booking is a 409, never two rows
    __table_args__ = (
        sa.Index(
            "uq_study_support_bookings_live_person",
            "session_id",
            "person_id",
            unique=True,
            postgresql_where=sa.text(LIVE_BOOKING),
            sqlite_where=sa.text(LIVE_BOOKING),
        ),
    )


class StudySupportBuddy(db.Model):
    """An accepted volunteer study supporter assigned as a buddy to a learner group (a series)."""

    __tablename__ = "study_support_buddies"
    id = id_column()
    series_id = sa.Column(sa.String(32), sa.ForeignKey("study_support_series.id"), nullable=False, index=True)
    supporter_application_id = sa.Column(
        sa.String(32), sa.ForeignKey("study_supporter_applications.id"), nullable=False, index=True
    )
    assigned_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()
    __table_args__ = (
        sa.UniqueConstraint(
            "series_id",
            "supporter_application_id",
            name="uq_study_support_buddies_series_id_supporter_application_id",
        ),
    )
