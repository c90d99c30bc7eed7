"""Priorities Consultations: opt-in, purpose-specific, time-limited."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class Consultation(db.Model):
    """state: requested | scheduled | completed | cancelled | expired."""

    __tablename__ = "consultations"
    id = id_column()
    requested_by = sa.Column(sa.String(100), nullable=False, index=True)  # gateway user id
    for_kind = sa.Column(sa.String(20), nullable=False)
    purpose = sa.Column(sa.String(1000), nullable=False)
    hub_id = sa.Column(sa.String(32), sa.ForeignKey("hubs.id"), nullable=True, index=True)
    state = sa.Column(sa.String(20), nullable=False, default="requested")
    scheduled_for = sa.Column(sa.DateTime, nullable=True)
    expires_at = sa.Column(sa.DateTime, nullable=False)
    completed_at = sa.Column(sa.DateTime, nullable=True)
    cancelled_at = sa.Column(sa.DateTime, nullable=True)
    created_at = created_column()
