"""Conditional reads of the public catalogue (decision 0034).

The public catalogue GETs under /api/v1/catalogue/ (courses, roles, packages, the price book, the
reference tables; not the pathway estimate nor the organisation kinds) are computed from two
things only: the code of this
release and the price-book version in force. So each answer carries

- `ETag: "<version>-<digest>"`, a strong tag: the price-book version number and a digest of the
  body this release builds from that version (a release that words a licence differently
  changes the tag too);
- `Cache-Control: public, max-age=0, s-maxage=SHARED_MAX_AGE, must-revalidate`: a client
  revalidates every time, a shared cache (the gateway) may reuse the answer for a few seconds.

`If-None-Match` with the current tag is answered 304 without building the body: the tag of
(path and query, version row) is remembered per process once a body was built, so a
revalidation costs one small query (the latest version's id). A staff edit publishes a new
version (a new row), so every tag changes with it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from flask import Flask, Response, request

from ..services import price_book

# seconds a shared cache (the gateway) may serve a catalogue answer without asking again; the
# gateway also forgets its copies at once when an edit goes through it (decision 0034)
SHARED_MAX_AGE = 5
CACHE_CONTROL = f"public, max-age=0, s-maxage={SHARED_MAX_AGE}, must-revalidate"

# the 304 as the OpenAPI document describes it on each of these reads
NOT_MODIFIED = (
    "Not modified: `If-None-Match` holds the current `ETag` (no body). Every 200 here carries a strong "
    "`ETag` (price-book version and body digest) and `Cache-Control: public, max-age=0, "
    f"s-maxage={SHARED_MAX_AGE}, must-revalidate`."
)

# blueprints whose every GET is public reference data computed from the price book and rules (not
# `organisation_kinds`: its portal test pins that a page follows the policy table at once)
PUBLIC_BLUEPRINTS = frozenset({"catalogue", "catalogue_reference"})
PUBLIC_ENDPOINTS = frozenset({"price_book.public_price_book"})
# not conditional: the pathway estimate (one answer per role and `have` list: little to reuse)
NOT_CONDITIONAL = frozenset({"catalogue_reference.role_estimate"})

_TAGS_KEPT = 1024  # (path and query, version) pairs remembered per process; the oldest go first
_tags: OrderedDict[tuple[str, str], str] = OrderedDict()
_tags_lock = threading.Lock()


def conditional(req=None) -> bool:
    """Is this request a public catalogue read (answered with validators)?"""
    req = req or request
    return (
        req.method in ("GET", "HEAD")
        and (req.blueprint in PUBLIC_BLUEPRINTS or req.endpoint in PUBLIC_ENDPOINTS)
        and req.endpoint not in NOT_CONDITIONAL
    )


def _key() -> tuple[str, str]:
    st = price_book.stamp()
    version = st.row_id or f"seed-{st.number}"
    return (request.path + "?" + request.query_string.decode("latin-1"), version)


def _remembered(key: tuple[str, str]) -> str | None:
    with _tags_lock:
        tag = _tags.get(key)
        if tag is not None:
            _tags.move_to_end(key)
        return tag


def _remember(key: tuple[str, str], tag: str) -> None:
    with _tags_lock:
        _tags[key] = tag
        while len(_tags) > _TAGS_KEPT:
            _tags.popitem(last=False)


def forget() -> None:
    """Drop every remembered tag (tests)."""
    with _tags_lock:
        _tags.clear()


def _not_modified(tag: str) -> Response:
    out = Response(status=304)
    out.set_etag(tag)
    out.headers["Cache-Control"] = CACHE_CONTROL
    return out


def before_request():
    """304 straight away when the client already holds the answer for the version in force."""
    if not conditional() or not request.if_none_match:
        return None
    tag = _remembered(_key())
    if tag is not None and request.if_none_match.contains_weak(tag):
        return _not_modified(tag)
    return None


def after_request(response: Response) -> Response:
    if not conditional() or response.status_code != 200:
        return response
    key = _key()
    tag = _remembered(key)
    if tag is None:
        digest = hashlib.sha256(response.get_data()).hexdigest()[:20]
        tag = f"{price_book.stamp().number}-{digest}"
        _remember(key, tag)
    if request.if_none_match and request.if_none_match.contains_weak(tag):
        return _not_modified(tag)
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def register(app: Flask) -> None:
    app.before_request(before_request)
    app.after_request(after_request)
