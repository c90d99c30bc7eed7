"""The price book: versioned, edited by training admins, read by every purchase.

The seeds publish no size bands or licence fees, so the first version is a clearly labelled
PLACEHOLDER. Until an admin edits it (or the seeder stores it) the placeholder is served as
version 1 without being written, so reads never write."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context, request

from imatter_shared.contract import packages as contract

from ..events import outgoing
from ..extensions import db
from ..models import PriceBookVersion
from ..price_book_seed import (
    PLACEHOLDER_BOOK,
    PLACEHOLDER_LABEL,
    PLACEHOLDER_NOTICE,
    SEED_CATALOGUE,
    SEED_PRODUCTS,
)
from ..rules import pricing

PRODUCT_CODES = tuple(p["code"] for p in SEED_PRODUCTS)
CATALOGUE_KEYS = ("courses", "requirement_titles", "roles", "package_types")


def _latest() -> PriceBookVersion | None:
    return db.session.scalar(sa.select(PriceBookVersion).order_by(PriceBookVersion.version.desc()).limit(1))


def with_catalogue(data: dict) -> dict:
    """A version stored before the price book held the catalogue reads the seed
    catalogue for the tables it does not hold."""
    for key in CATALOGUE_KEYS:
        if key not in data:
            data[key] = copy.deepcopy(SEED_CATALOGUE[key])
    # products added later (row 110): a version without them reads the seed's (placeholder) rows
    have = {p["code"] for p in data.get("products", [])}
    data["products"] = list(data.get("products", [])) + [
        copy.deepcopy(p) for p in SEED_PRODUCTS if p["code"] not in have
    ]
    return data


def product(code: str) -> tuple[int, dict]:
    """(price-book version, row) of a product in the price book in force, read at order time."""
    number, data = _current_shared()
    row = next(p for p in with_catalogue(dict(data))["products"] if p["code"] == code)
    return number, copy.deepcopy(row)


_REQUEST_KEY = "imatter.price_book"

# Stored versions are never updated in place and their ids are random (uuid4 hex), so a version's
# parsed data can be kept for the life of the process, keyed by its row id: a request then costs
# one small query (the latest version's id) however often it reads the tables. Bounded: the
# latest few versions only (an edit adds one).
_VERSIONS_KEPT = 8
_versions: OrderedDict[str, dict] = OrderedDict()
_versions_lock = threading.Lock()


@dataclass(frozen=True)
class Stamp:
    """Which version is in force: its number and row id (None while the seed book is served
    unstored), and when it was published. What a conditional read's ETag is made from."""

    number: int
    row_id: str | None
    created_at: object = None


# built once (decision 0037: building a statement and its cache key cost more than running it)
_LATEST = (
    sa.select(PriceBookVersion.id, PriceBookVersion.version, PriceBookVersion.created_at)
    .order_by(PriceBookVersion.version.desc())
    .limit(1)
)


def _latest_stamp() -> Stamp:
    row = db.session.execute(_LATEST).first()
    return Stamp(1, None) if row is None else Stamp(row.version, row.id, row.created_at)


def _data_of(row_id: str) -> dict:
    with _versions_lock:
        hit = _versions.get(row_id)
        if hit is not None:
            _versions.move_to_end(row_id)
            return hit
    data = with_catalogue(copy.deepcopy(db.session.get(PriceBookVersion, row_id).data))
    with _versions_lock:
        _versions[row_id] = data
        while len(_versions) > _VERSIONS_KEPT:
            _versions.popitem(last=False)
    return data


_STAMP_KEY = "imatter.price_book.stamp"


_stamp_columns: tuple = ()


def stamp_columns() -> tuple:
    """The latest version's id, number and publication time as three labelled scalar
    subqueries, for a read that wants them in its own statement (then prime_stamp(row)). Built
    once: the same objects every time, so a statement holding them can be kept too."""
    global _stamp_columns

    def latest(column, label):
        return (
            sa.select(column)
            .order_by(PriceBookVersion.version.desc())
            .limit(1)
            .scalar_subquery()
            .label(label)
        )

    if not _stamp_columns:
        _stamp_columns = (
            latest(PriceBookVersion.id, "price_book_id"),
            latest(PriceBookVersion.version, "price_book_version"),
            latest(PriceBookVersion.created_at, "price_book_created_at"),
        )
    return _stamp_columns


def prime_stamp(row) -> None:
    """This request's stamp from a row holding stamp_columns() (no query of its own)."""
    if not has_request_context() or _STAMP_KEY in request.environ:
        return
    st = (
        Stamp(1, None)
        if row.price_book_id is None
        else Stamp(row.price_book_version, row.price_book_id, row.price_book_created_at)
    )
    request.environ[_STAMP_KEY] = st


def stamp() -> Stamp:
    """The version in force for this request: one small query, then kept for the request."""
    scope = request.environ if has_request_context() else None
    if scope is not None and _STAMP_KEY in scope:
        return scope[_STAMP_KEY]
    st = _latest_stamp()
    if scope is not None:
        scope[_STAMP_KEY] = st
    return st


def _current_with_stamp() -> tuple[Stamp, tuple[int, dict]]:
    scope = request.environ if has_request_context() else None
    if scope is not None and _REQUEST_KEY in scope:
        return scope[_REQUEST_KEY]
    st = stamp()
    result = (st, (1, PLACEHOLDER_BOOK) if st.row_id is None else (st.number, _data_of(st.row_id)))
    if scope is not None:
        scope[_REQUEST_KEY] = result
    return result


def _current_shared() -> tuple[int, dict]:
    """(version, data) in force now, shared: do not mutate. One small query per request (the
    latest version's id, number and publication time); the parsed data of a version is kept
    per process by its row id (versions are immutable). `publish` forgets the request's answer."""
    return _current_with_stamp()[1]


def _forget_request_book() -> None:
    if has_request_context():
        request.environ.pop(_REQUEST_KEY, None)
        request.environ.pop(_STAMP_KEY, None)


def current() -> tuple[int, dict]:
    """(version number, data) of the price book in force now: the caller's own copy."""
    number, data = _current_shared()
    return number, copy.deepcopy(data)


def in_force() -> tuple[int, dict]:
    """(version number, data) of the price book in force now, shared: for a caller that only
    reads it (a price, a band, a package type); do not mutate. current() gives a copy."""
    return _current_shared()


def catalogue() -> tuple[int, dict]:
    """(version, data) for reading the catalogue tables without a copy (rules/catalogue.py).
    Outside an application context (pure unit tests) the seed catalogue is read."""
    if not has_app_context():
        return 1, PLACEHOLDER_BOOK
    return _current_shared()


def catalogue_tables() -> dict:
    """The catalogue tables of the version in force, for rules/catalogue.py (not a copy)."""
    return catalogue()[1]


def current_version_number() -> int:
    return _current_shared()[0]


def version(number: int) -> dict | None:
    if not 1 <= number <= 2**31 - 1:  # beyond the column's range: no such version (not a database error)
        return None
    if number == 1 and _latest() is None:
        return copy.deepcopy(PLACEHOLDER_BOOK)
    row = db.session.scalar(sa.select(PriceBookVersion).where(PriceBookVersion.version == number))
    return with_catalogue(copy.deepcopy(row.data)) if row else None


def announce(number: int, data: dict) -> None:
    """`training.package_types.published`: cic-tracker keeps the package types of the version in
    force (Tracker uses, per-case share, prices) and no copy of its own."""
    outgoing.package_types_published(number, package_types_event(data))


def package_types_event(data: dict) -> list[dict]:
    keep = (
        "type",
        "title",
        "online_accounts",
        "tracker_uses",
        "tracker_uses_per_case",
        "price",
        "placeholder",
    )
    return [
        {k: bool(p.get(k, False)) if k == "placeholder" else p[k] for k in keep}
        for p in sorted(data["package_types"], key=lambda p: p["type"])
    ]


def ensure_stored() -> bool:
    """Store the placeholder as version 1 when no version exists (seeder, first edit), and add a
    version carrying the catalogue when the latest one predates it."""
    row = _latest()
    if row is None:
        db.session.add(PriceBookVersion(version=1, data=copy.deepcopy(PLACEHOLDER_BOOK), created_by=None))
        db.session.flush()
        _forget_request_book()
        announce(1, PLACEHOLDER_BOOK)
        return True
    elif any(key not in row.data for key in CATALOGUE_KEYS):
        number, data = row.version + 1, with_catalogue(copy.deepcopy(row.data))
        db.session.add(PriceBookVersion(version=number, data=data, created_by=None))
        db.session.flush()
        _forget_request_book()
        announce(number, data)
        return True
    return False


def store_catalogue() -> int:
    """`flask catalogue load` / `flask seed --demo`: make sure the catalogue is stored (announced to
    cic-tracker when it is stored, as an edit announces its version; nothing sent when it already
    was). The number of the version in force."""
    ensure_stored()
    return _current_shared()[0]


def load_catalogue() -> int:
    """`flask catalogue publish`: make sure the catalogue is stored and announce the package types
    of the version in force again (cic-tracker applies it idempotently)."""
    stored = ensure_stored()
    number, data = _current_shared()
    if not stored:
        announce(number, data)
    return number


def normalise(data: dict) -> dict:
    """Derived figures and labels stay honest whatever an editor sends."""
    for p in data.get("package_types", []):
        p["tracker_uses"] = p["tracker_uses_per_case"] * contract.MAX_CASES
        p["price_per_person"] = p["price"] // contract.MAX_CASES
        for key in ("contents", "use_requires", "excludes"):
            p.setdefault(key, [])
        # what a use waits for is the contract's rule (enforced at use by cic-tracker), not an edit
        p["use_requires"] = list(contract.package_type(p["type"]).use_requires)
        p.setdefault("purpose", "")
    for p in data.get("products", []):
        p["price_status"] = "placeholder" if p.get("placeholder") else "published"
    for rows in (
        data.get("courses", []),
        data.get("package_types", []),
        data.get("seat_bundle_tiers", []),
        data.get("products", []),
    ):
        for row in rows:
            row["placeholder"] = bool(row.get("placeholder", False))
            label_key = "label" if rows is data.get("seat_bundle_tiers") else "placeholder_label"
            if row["placeholder"]:
                row.setdefault(label_key, PLACEHOLDER_LABEL)
                row[label_key] = row[label_key] or PLACEHOLDER_LABEL
            else:
                row.pop(label_key, None)
    for c in data.get("courses", []):
        c["price_status"] = "placeholder" if c["placeholder"] else "published"
    data["package_types"] = sorted(data.get("package_types", []), key=lambda p: p["type"])
    return data


def any_placeholder(data: dict) -> bool:
    return any(
        r.get("placeholder")
        for key in ("size_bands", "seat_bundle_tiers", "courses", "package_types", "products")
        for r in data.get(key, [])
    )


def publish(data: dict, user_id: str) -> tuple[int, dict]:
    """Every edit is a new version; older versions stay as they were (orders point at them).
    Raises pricing.PriceBookError when the book does not hold together."""
    data = with_catalogue(copy.deepcopy(data))
    data.setdefault("currency", "GBP")
    data["seat_bundle_tiers"] = sorted(data["seat_bundle_tiers"], key=lambda t: t["from_seat"])
    pricing.validate_price_book(data)
    normalise(data)
    # labels stay honest: the book is a placeholder while any of its prices is
    data["placeholder"] = bool(data.get("placeholder", False) or any_placeholder(data))
    if data["placeholder"]:
        data.setdefault("notice", PLACEHOLDER_NOTICE)
    else:
        data.pop("notice", None)
    ensure_stored()
    number = _latest().version + 1
    db.session.add(PriceBookVersion(version=number, data=data, created_by=user_id))
    db.session.flush()
    _forget_request_book()
    announce(number, data)
    return number, data


def _version_cached(number: int | None) -> dict | None:
    """A stored version read once per app context (versions never change once written)."""
    if number is None:
        return None
    if has_app_context():
        current_number, data = _current_shared()  # read once per request already
        if number == current_number:
            return data
    cache = g.setdefault("_price_book_versions", {}) if has_app_context() else {}
    if cache.get(number) is None:
        cache[number] = version(number)
    return cache[number]


def band_mark(number: int | None, band_code: str | None) -> dict:
    """{placeholder, placeholder_label?} of the size band a licence fee came from, in the price-book
    version it was priced from (domain row 111: a placeholder fee says so wherever it is shown)."""
    data = _version_cached(number)
    band = pricing.band_of(data, band_code) if data and band_code else None
    placeholder = bool(band.get("placeholder")) if band else bool(data and data.get("placeholder"))
    if not placeholder:
        return {"placeholder": False}
    return {
        "placeholder": True,
        "placeholder_label": (band or {}).get("placeholder_label") or PLACEHOLDER_LABEL,
    }


@dataclass(frozen=True)
class Book:
    """One version of the price book as a view answers it (a plain tuple would read as a status)."""

    number: int
    data: dict


def published_at(number: int):
    """When version `number` was stored (None for the seed book before anything is stored)."""
    if has_app_context():
        st = stamp()
        if st.number == number:  # the version in force: read with it, no second query
            return st.created_at
    return db.session.scalar(sa.select(PriceBookVersion.created_at).where(PriceBookVersion.version == number))


def size_band_codes() -> list[str]:
    return [b["code"] for b in _current_shared()[1]["size_bands"]]
