"""Microproject package types as I Matter Training publishes them (its price book in force).

training owns the figures (its versioned price book; the defaults and what each type means are
the shared table imatter_shared.contract.packages); cic-tracker keeps no copy of its own. Each
`training.package_types.published` event brings the package types of one price-book version;
the row of a type holds the figures of the latest version seen (an older or repeated event
changes nothing). Tracker uses, the per-case share and the price (fund award amounts) are read
from here.
"""

import sqlalchemy as sa

from imatter_shared.dataprotection import NOT_PII

from .base import db, utcnow


class PackageType(db.Model):
    __tablename__ = "package_types"
    type = sa.Column(sa.Integer, primary_key=True, autoincrement=False, info=NOT_PII)
    title = sa.Column(sa.String(200), nullable=False, info=NOT_PII)
    online_accounts = sa.Column(sa.Integer, nullable=False, info=NOT_PII)
    tracker_uses = sa.Column(sa.Integer, nullable=False, info=NOT_PII)
    tracker_uses_per_case = sa.Column(sa.Integer, nullable=False, info=NOT_PII)
    price = sa.Column(sa.Integer, nullable=False, info=NOT_PII)  # pence
    placeholder = sa.Column(sa.Boolean, nullable=False, default=False, info=NOT_PII)
    price_book_version = sa.Column(sa.Integer, nullable=False, info=NOT_PII)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow, info=NOT_PII)
