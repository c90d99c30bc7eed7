"""'Express an interest' in one of the ten elements of the system (seed 002)."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class Interest(db.Model):
    __tablename__ = "interest"
    id = id_column()
    element = sa.Column(sa.String(40), nullable=False, index=True)
    name = sa.Column(sa.String(200), nullable=False)
    email = sa.Column(sa.String(254), nullable=False)
    message = sa.Column(sa.Text, nullable=True)
    created_at = created_column()
