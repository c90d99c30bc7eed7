"""What every cic-tracker service module shares: the clock and ISO output (from imatter_shared.timeutil)
and emit(), the one way an integration event is written."""

from __future__ import annotations

from imatter_shared.messaging import outbox
from imatter_shared.timeutil import iso, to_naive_utc
from imatter_shared.timeutil import naive_utcnow as now

from ..extensions import db
from ..models import OutboxMessage

# `now` is naive UTC, like the DateTime columns it is compared with; `iso` reads naive as UTC.
__all__ = ["PRODUCER", "emit", "iso", "now", "to_naive_utc"]

PRODUCER = "cic-tracker"


def emit(event_type: str, data: dict) -> None:
    """Into the outbox, in the caller's transaction (published by the relay after commit)."""
    outbox.add(db.session, OutboxMessage, event_type, data, producer=PRODUCER)
