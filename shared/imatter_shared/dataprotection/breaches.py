"""The breach register: every personal-data breach, with the 72-hour deadline for telling
the ICO (UK GDPR art. 33) computed from when it was detected, and overdue ones flagged.

    class Breach(BreachMixin, db.Model):
        __tablename__ = "dp_breaches"
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from imatter_shared.timeutil import iso, naive_utcnow

from .annotations import pii

ICO_DEADLINE = timedelta(hours=72)
_PURPOSE = "breach register kept by the controller (UK GDPR art. 33(5))"


class BreachMixin:
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    detected_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, index=True, info={"pii": False}
    )
    description: Mapped[str] = mapped_column(
        sa.Text,
        nullable=False,
        info=pii(
            "incident description (may mention affected people)",
            _PURPOSE,
            "legal_obligation",
            "6 years after detected_at",
        ),
    )
    recorded_at: Mapped[datetime] = mapped_column(
        sa.DateTime,
        nullable=False,
        info={"pii": False},
        default=naive_utcnow,
    )
    recorded_by: Mapped[str | None] = mapped_column(
        sa.String(64),
        nullable=True,
        info=pii("staff identifier", _PURPOSE, "legal_obligation", "6 years after detected_at"),
    )
    notified_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True, info={"pii": False})
    ico_reference: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, info={"pii": False})

    @property
    def deadline(self) -> datetime:
        return self.detected_at + ICO_DEADLINE

    def status(self, now: datetime) -> str:
        if self.notified_at is not None:
            return "notified" if self.notified_at <= self.deadline else "notified_late"
        return "overdue" if now > self.deadline else "open"

    def to_dict(self, now: datetime) -> dict:
        return {
            "id": self.id,
            "detected_at": iso(self.detected_at),
            "ico_deadline": iso(self.deadline),
            "notified_at": iso(self.notified_at),
            "ico_reference": self.ico_reference,
            "status": self.status(now),
            "overdue": self.status(now) in ("overdue", "notified_late"),
            "description": self.description,
            "recorded_by": self.recorded_by,
        }
