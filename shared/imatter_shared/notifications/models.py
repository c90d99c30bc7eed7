"""Notification outbox and preference tables as declarative mixins for a service's own db.Model.

    class Notification(NotificationMixin, db.Model): __tablename__ = "notifications"
    class NotificationPreference(NotificationPreferenceMixin, db.Model):
        __tablename__ = "notification_preferences"

A notification row is written in the same commit as the change that causes it (rendered
there, so the sender needs nothing but the row); the sender delivers it over SMTP and marks
it `sent` only once the server accepted it. `dedup_key` (unique) makes a reminder once per
due date: the key names the thing, the due date and the step ("licence:<id>:2027-01-31:30d").
The rows are the record of what was sent.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from imatter_shared.dataprotection.annotations import NOT_PII, pii
from imatter_shared.messaging.models import UtcDateTime
from imatter_shared.timeutil import utcnow

PENDING = "pending"  # waiting for (another) delivery attempt
SENT = "sent"  # the SMTP server accepted it
SKIPPED = "skipped"  # the recipient turned this kind of email off (non-essential only)
FAILED = "failed"  # refused for good (bad address), or out of attempts
STATES = (PENDING, SENT, SKIPPED, FAILED)

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_KEEP = "2 years after created_at"


def _mail(category: str, purpose: str, **kw) -> dict:
    return pii(category, purpose, "legitimate_interests", _KEEP, **kw)


class NotificationMixin:
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(60), nullable=False, info=NOT_PII)
    # the service's key for preferences: a person id (training) or a user id (cic-tracker)
    recipient: Mapped[str | None] = mapped_column(
        sa.String(100),
        nullable=True,
        index=True,
        info=_mail("identifier", "whose preferences apply", subject="person_id"),
    )
    to_email: Mapped[str] = mapped_column(
        sa.String(254),
        nullable=False,
        index=True,
        info=_mail("contact details", "delivering service email", subject="email"),
    )
    essential: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    subject: Mapped[str] = mapped_column(
        sa.String(300), nullable=False, info=_mail("message", "delivering service email")
    )
    text_body: Mapped[str] = mapped_column(
        sa.Text, nullable=False, info=_mail("message", "delivering service email")
    )
    html_body: Mapped[str] = mapped_column(
        sa.Text, nullable=False, info=_mail("message", "delivering service email")
    )
    dedup_key: Mapped[str | None] = mapped_column(sa.String(200), nullable=True, unique=True, info=NOT_PII)
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True, info=NOT_PII)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        pending = sa.text(f"state = '{PENDING}'")
        return (
            sa.Index(
                f"ix_{cls.__tablename__}_pending",
                "next_attempt_at",
                "id",
                postgresql_where=pending,
                sqlite_where=pending,
            ),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.kind} {self.state}>"


class NotificationPreferenceMixin:
    """A recipient's choices. No row means the defaults: every kind of email on."""

    recipient: Mapped[str] = mapped_column(
        sa.String(100),
        primary_key=True,
        info=pii(
            "identifier",
            "notification preferences",
            "legitimate_interests",
            "until erased on request",
            subject="person_id",
        ),
    )
    non_essential_email: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    # kinds turned off one by one (non-essential kinds only), a JSON list of kind codes
    disabled_kinds: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list, info=NOT_PII)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow, onupdate=utcnow)
