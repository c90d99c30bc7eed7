"""Small helpers shared by the organisation-side services."""

from __future__ import annotations

from datetime import UTC, datetime

from ..models.base import utcnow


def now() -> datetime:
    """Naive UTC, the way every DateTime column here stores time."""
    return utcnow()


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, for JSON and events."""
    if dt is None:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(timespec="seconds") + "Z"


def to_naive_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt
    return dt.astimezone(UTC).replace(tzinfo=None)
