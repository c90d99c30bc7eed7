"""Write an event to the outbox inside the caller's transaction.

Never write and publish as two steps: the event row is added to the same session as the
business change and shares its commit (or its rollback). The relay publishes it later; the
commit wakes it (messaging/wakeup.py: a NOTIFY sent right after the commit on PostgreSQL, decision 0065).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from imatter_shared.events import catalogue
from imatter_shared.events.envelope import Envelope, new_envelope
from imatter_shared.messaging import wakeup
from imatter_shared.messaging.models import PENDING
from imatter_shared.timeutil import utcnow


def add(session: Any, OutboxModel: type, event_type: str, data: Mapping[str, Any], producer: str) -> Envelope:
    """Validate `data` against the catalogue, add an outbox row to `session` and return
    the envelope. Never commits or flushes: the caller's commit makes the event real.

    Raises catalogue.EventValidationError (or UnknownEventType) on bad data, and on a
    producer that the catalogue does not name for this type.
    """
    spec = catalogue.spec_for(event_type)
    if producer != spec.producer:
        raise catalogue.EventValidationError(
            event_type, message=f"{event_type} is produced by {spec.producer!r}, not {producer!r}"
        )
    cleaned = catalogue.validate(event_type, data)
    wakeup.watch(OutboxModel)
    envelope = new_envelope(event_type, cleaned, producer, version=spec.version)
    now = utcnow()
    session.add(
        OutboxModel(
            event_id=envelope.event_id,
            type=envelope.type,
            payload=envelope.to_json().decode("utf-8"),
            state=PENDING,
            times_sent=0,
            created_at=now,
            next_attempt_at=now,
        )
    )
    return envelope
