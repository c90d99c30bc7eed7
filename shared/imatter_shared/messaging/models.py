"""Outbox and inbox tables as declarative mixins, for a service's own `db.Model`.

    class OutboxMessage(OutboxMixin, db.Model): __tablename__ = "outbox_messages"
    class InboxMessage(InboxMixin, db.Model):   __tablename__ = "inbox_messages"

The outbox holds events written in the same commit as the business change; the relay
publishes them. The inbox remembers every event_id a consumer has applied, so a
redelivered event is recognised in the same transaction as the handler's writes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from imatter_shared.timeutil import utcnow

PENDING = "pending"
PUBLISHED = "published"


class UtcDateTime(sa.types.TypeDecorator):
    """Stored as naive UTC (the same on SQLite and PostgreSQL), returned timezone-aware."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UtcDateTime needs a timezone-aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# SQLite only auto-increments an INTEGER PRIMARY KEY, not a BIGINT one.
_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class OutboxMixin:
    """One row per event to publish. `payload` is the whole envelope as JSON text."""

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    type: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    payload: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=PENDING)
    times_sent: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        # The relay asks for "pending, due, lowest id first"; `status` asks for the oldest
        # pending. A partial index keeps both cheap however many published rows pile up.
        pending = sa.text(f"state = '{PENDING}'")
        return (
            sa.Index(
                f"ix_{cls.__tablename__}_pending",
                "id",
                "next_attempt_at",
                postgresql_where=pending,
                sqlite_where=pending,
            ),
            sa.Index(f"ix_{cls.__tablename__}_published_at", "published_at"),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.type} {self.event_id} {self.state}>"


class InboxMixin:
    """One row per event a consumer has applied; the primary key is the dedup check."""

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (sa.Index(f"ix_{cls.__tablename__}_received_at", "received_at"),)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.event_id} {self.type}>"
