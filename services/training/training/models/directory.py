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
