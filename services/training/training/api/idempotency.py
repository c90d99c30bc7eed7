"""`Idempotency-Key` on the money-moving POSTs (decision 0054).

A view wrapped by `idempotent(blp)` does not commit itself: the wrapper commits the view's work,
and, when the request carries a key, the key's row with the answer, in that one transaction. A
repeated request with the same key from the same caller, to the same route with the same body,
gets the stored answer back (status and body) and changes nothing; the same key with another body
or route is 422, and while the first request with that key is still running 409 (on PostgreSQL a
transaction-level advisory lock on (caller, key); SQLite serialises writers anyway). Without the
header nothing changes. A refused request (an error) stores nothing, so repeating it is judged
again. Keys are scoped by the caller and pruned after 24 hours (`flask idempotency prune`, training/cli.py)."""

from __future__ import annotations

import functools
import hashlib

import sqlalchemy as sa
from flask import Response, make_response, request

from imatter_shared.web.errors import ApiError, InvalidInput

from ..authz import caller
from ..extensions import db
from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
_LOCK_SPACE = 0x1DE4  # first key of the two-int advisory lock (the scheduler uses one-bigint keys)

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    "description": (
        "Optional, 1-255 printable ASCII characters, chosen by the client (a random UUID). "
        "A repeat with the same key, route and body from the same caller within 24 hours "
        "returns the first answer (status and body, header `Idempotent-Replayed: true`) and "
        "buys nothing; the same key with another body is 422, while the first is running 409. "
        "An invalid key is 400."
    ),
}


def _key_or_none() -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    if not 1 <= len(raw) <= MAX_LENGTH or not (raw.isascii() and raw.isprintable()):
        raise InvalidInput(HEADER, "1-255 printable ASCII characters.")
    return raw


def _lock(principal_id: str, key: str) -> None:
    """409 when another request with this caller's key holds the lock (PostgreSQL)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{principal_id}\0{key}".encode()).digest()
    second = int.from_bytes(digest[:4], "big", signed=True)
    got = db.session.execute(
        sa.text("SELECT pg_try_advisory_xact_lock(:a, :b)"), {"a": _LOCK_SPACE, "b": second}
    ).scalar()
    if not got:
        raise ApiError(
            "A request with this Idempotency-Key is still being processed; repeat it shortly.",
            409,
            errors={HEADER: ["A request with this key is still being processed."]},
        )


def _replay(status: int, body: str) -> Response:
    resp = Response(body, status=status, mimetype="application/json")
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def idempotent(blp):
    """Decorate a view (between the route and `blp.arguments`); documents the header too."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = _key_or_none()
            if key is None:
                rv = view(*args, **kwargs)
                db.session.commit()
                return rv
            principal_id = caller().user_id
            route = f"{request.method} {request.path}"
            body_hash = hashlib.sha256(request.get_data()).hexdigest()
            _lock(principal_id, key)
            row = db.session.scalar(
                sa.select(IdempotencyKey).where(
                    IdempotencyKey.principal_id == principal_id, IdempotencyKey.key == key
                )
            )
            if row is not None:
                if row.route != route or row.body_hash != body_hash:
                    raise ApiError(
                        "This Idempotency-Key was used for another request.",
                        422,
                        errors={HEADER: ["Already used with another request body or route."]},
                    )
                status, body = row.response_status, row.response_body
                db.session.rollback()  # nothing to keep; ends the transaction and its lock
                return _replay(status, body)
            resp = make_response(view(*args, **kwargs))
            db.session.add(
                IdempotencyKey(
                    principal_id=principal_id,
                    key=key,
                    route=route,
                    body_hash=body_hash,
                    response_status=resp.status_code,
                    response_body=resp.get_data(as_text=True),
                )
            )
            db.session.commit()
            return resp

        return blp.doc(parameters=[PARAMETER])(wrapper)

    return decorate
