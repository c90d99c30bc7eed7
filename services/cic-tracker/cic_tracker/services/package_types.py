"""The microproject package types training publishes (its price book in force): stored from
`training.package_types.published`, read by the Tracker and the Fund. The figures sold and
counted (Tracker uses, the per-case share, the price) come from here; what a type means (set-up,
overseer, completion) from the shared table imatter_shared.contract.packages."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import PackageType

FIGURES = ("title", "online_accounts", "tracker_uses", "tracker_uses_per_case", "price", "placeholder")


def apply_published(data: dict) -> int:
    """Store the package types of one price-book version: a type's row follows the latest version
    seen; an older or repeated event changes nothing (idempotent, order-independent).
    Returns the number of rows written."""
    version = data["price_book_version"]
    written = 0
    for p in data["package_types"]:
        # lock the row where the engine can, so two consumers cannot interleave on one type
        row = db.session.scalar(sa.select(PackageType).where(PackageType.type == p["type"]).with_for_update())
        if row is None:
            row = PackageType(type=p["type"], price_book_version=version)
            db.session.add(row)
        elif row.price_book_version > version:
            continue
        row.price_book_version = version
        for key in FIGURES:
            setattr(row, key, bool(p.get(key, False)) if key == "placeholder" else p[key])
        written += 1
    db.session.flush()
    return written


def package_type(type_: int | None) -> PackageType | None:
    """The stored figures of a package type (None: training has not published it)."""
    if type_ is None:
        return None
    row = db.session.get(PackageType, type_)
    if row is not None:
        # Held for the session's life: its identity map keeps clean rows weakly, so each event of
        # a consumer's batch read the row again (one SELECT per purchase; docs/performance.md 3c).
        # A row rolled back or expired is not served from here: session.get still decides.
        db.session.info.setdefault("package_types", {})[type_] = row
    return row
