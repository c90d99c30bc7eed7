"""Column helpers every service's models use: 32-character hex ids and creation times.

A service's `models/base.py` re-exports these next to its own `db`. DateTime columns hold naive
UTC (see imatter_shared.timeutil), so the creation time's default is the naive clock.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from imatter_shared.timeutil import naive_utcnow


def new_id() -> str:
    return uuid.uuid4().hex


def id_column() -> sa.Column:
    return sa.Column(sa.String(32), primary_key=True, default=new_id)


def created_column() -> sa.Column:
    return sa.Column(sa.DateTime, nullable=False, default=naive_utcnow)
