"""Idempotency keys of the money-moving POSTs (decision 0054).

A row is stored in the same transaction as the purchase it answered, with that answer, so a
repeated request (same caller, key, route and body) gets the first answer back and buys nothing.
Keys are scoped by the caller (a gateway user id); rows older than 24 hours are pruned."""

from datetime import timedelta

import sqlalchemy as sa

from .base import created_column, db, id_column

# how long a key's answer is kept (then `flask idempotency prune` deletes it)
KEEP = timedelta(hours=24)


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    id = id_column()
    principal_id = sa.Column(sa.String(64), nullable=False)
    key = sa.Column(sa.String(255), nullable=False)
    route = sa.Column(sa.String(300), nullable=False)  # method and path, e.g. "POST /api/v1/..."
    body_hash = sa.Column(sa.String(64), nullable=False)  # sha256 hex of the request body
    response_status = sa.Column(sa.Integer, nullable=False)
    response_body = sa.Column(sa.Text, nullable=False)
    created_at = created_column()
    __table_args__ = (
        sa.UniqueConstraint("principal_id", "key", name="uq_idempotency_keys_principal_key"),
        sa.Index("ix_idempotency_keys_created_at", "created_at"),
    )
