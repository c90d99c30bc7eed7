"""Column helpers used by every model: string ids, UTC timestamps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from ..extensions import db


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def id_column():
    return sa.Column(sa.String(32), primary_key=True, default=new_id)


def created_column():
    return sa.Column(sa.DateTime, nullable=False, default=utcnow)


__all__ = ["db", "new_id", "utcnow", "id_column", "created_column"]
