"""The price book: every admin edit is a new, immutable version; orders keep the one they used."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class PriceBookVersion(db.Model):
    __tablename__ = "price_book_versions"
    id = id_column()
    version = sa.Column(sa.Integer, nullable=False, unique=True)
    # {"currency", "placeholder", "notice", "size_bands": [...], "seat_bundle_tiers": [...],
    #  "transfer_top_up_fee", "affiliate_percentage"}; never updated in place
    data = sa.Column(sa.JSON, nullable=False)
    created_by = sa.Column(sa.String(64), nullable=True)  # gateway user id; null for the seeded book
    created_at = created_column()
