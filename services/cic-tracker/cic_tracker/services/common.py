"""Small helpers shared by the service modules: time, ISO output, the outbox, paging."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from imatter_shared.messaging import outbox

from ..extensions import db
from ..models import OutboxMessage
from ..models.base import utcnow

PRODUCER = "cic-tracker"


def now() -> datetime:
    return utcnow()


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def emit(event_type: str, data: dict) -> None:
    """Into the outbox, in the caller's transaction (published by the relay after commit)."""
    outbox.add(db.session, OutboxMessage, event_type, data, producer=PRODUCER)


def page_of(stmt, page: int, per_page: int, view) -> dict:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [view(r) for r in rows], "total": total, "page": page, "per_page": per_page}
