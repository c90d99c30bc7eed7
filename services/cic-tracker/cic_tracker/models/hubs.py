"""Locality hubs: neutral, non-clinical containers the CIC oversees."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class Hub(db.Model):
    __tablename__ = "hubs"
    id = id_column()
    name = sa.Column(sa.String(200), nullable=False, unique=True)
    locality = sa.Column(sa.String(200), nullable=True)
    description = sa.Column(sa.String(1000), nullable=True)
    # the training organisation of kind `locality_hub` this hub is (row 86); one hub each
    organisation_id = sa.Column(sa.String(100), nullable=True)
    created_by = sa.Column(sa.String(100), nullable=False)
    created_at = created_column()
    __table_args__ = (sa.UniqueConstraint("organisation_id", name="uq_hub_organisation"),)
