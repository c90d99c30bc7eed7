"""The public "I Matter informed" directory: opt-in entries of certified practitioners."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class DirectoryEntry(db.Model):
    __tablename__ = "directory_entries"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, unique=True)
    display_name = sa.Column(sa.String(200), nullable=False)
    locality = sa.Column(sa.String(120), nullable=True)
    summary = sa.Column(sa.String(500), nullable=True)
    opted_in = sa.Column(sa.Boolean, nullable=False, default=True)
    # the person is currently certified (Child, Lead, Lead Plus) or an approved Lead Professional:
    # kept in step by services/directory.py whenever a certification or approval changes, so the
    # public listing reads one partial index instead of checking every certification per request
    eligible = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.text("false"))
    opted_in_at = sa.Column(sa.DateTime, nullable=True)
    withdrawn_at = sa.Column(sa.DateTime, nullable=True)
    created_at = created_column()

    # the public listing walks listed entries in name order: a partial index of exactly those rows
    __table_args__ = (
        sa.Index(
            "ix_directory_entries_listed",
            "display_name",
            "id",
            postgresql_where=sa.text("opted_in = true AND eligible = true"),
            sqlite_where=sa.text("opted_in = 1 AND eligible = 1"),
        ),
    )


class DirectoryCounter(db.Model):
    """The directory's maintained totals, one row per scope. Scope "listed": entries opted in and
    eligible (what the public listing shows, before the time-dependent row 72i exclusion, which is
    subtracted when reading). Changed only by services/directory_totals.py, in the same transaction
    as the entries, by `n = n + delta`; `version` is a new random id at each such change, so
    anything derived from the listed entries (a search's total) is unchanged while it is."""

    __tablename__ = "directory_counters"
    scope = sa.Column(sa.String(20), nullable=False)
    n = sa.Column(sa.BigInteger, nullable=False, default=0)
    version = sa.Column(sa.String(32), nullable=False)

    __table_args__ = (
        sa.PrimaryKeyConstraint("scope", name="pk_directory_counters"),
        sa.CheckConstraint("n >= 0", name="ck_directory_counters_n_not_negative"),
    )
