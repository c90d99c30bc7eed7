"""People known to I Matter Training: professionals and personal learners (never a case)."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class Person(db.Model):
    __tablename__ = "people"
    id = id_column()
    name = sa.Column(sa.String(200), nullable=False)
    email = sa.Column(sa.String(254), nullable=False, index=True)
    kind = sa.Column(sa.String(20), nullable=False)  # professional | personal
    # the gateway user this person belongs to (set when the user creates it with their own email)
    user_id = sa.Column(sa.String(64), nullable=True, unique=True)
    created_by = sa.Column(sa.String(64), nullable=True, index=True)  # gateway user who created it
    created_at = created_column()
