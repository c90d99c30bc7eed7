"""Small helpers shared by the service modules: time, ISO output, the outbox, paging."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.messaging import outbox
from imatter_shared.timeutil import iso
from imatter_shared.timeutil import naive_utcnow as now
from imatter_shared.timeutil import to_naive_utc as naive_utc

from ..extensions import db
from ..models import OutboxMessage

# `now` is naive UTC, like the DateTime columns it is compared with; `iso` reads naive as UTC.
__all__ = ["PRODUCER", "emit", "iso", "naive_utc", "now", "page_of"]

PRODUCER = "cic-tracker"


def emit(event_type: str, data: dict) -> None:
    """Into the outbox, in the caller's transaction (published by the relay after commit)."""
    outbox.add(db.session, OutboxMessage, event_type, data, producer=PRODUCER)


def page_of(stmt, page: int, per_page: int, view) -> dict:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [view(r) for r in rows], "total": total, "page": page, "per_page": per_page}
