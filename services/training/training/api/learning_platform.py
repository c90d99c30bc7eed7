"""Course completions reported by the online learning platform, signed with a shared secret.

Course completion comes from the online learning platform or a training admin, never from the
learner (DOMAIN "Learning"; security review M5). The platform signs each request:
`X-Imatter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with
LEARNING_PLATFORM_SECRET; a signature older or newer than five minutes is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from flask import current_app, request
from marshmallow import Schema, ValidationError, fields
from marshmallow import validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.errors import ApiError, Unauthorized
from imatter_shared.web.fields import UtcDateTime

from ..extensions import db
from ..services import learning
from .schemas.learning import EnrolmentOut

blp = Blueprint(
    "learning_platform",
    __name__,
    url_prefix="/api/v1/learning-platform",
    description="Signed reports from the online learning platform",
)

SIGNATURE_HEADER = "X-Imatter-Signature"
TOLERANCE_SECONDS = 300


class CompletionIn(Schema):
    enrolment_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    completed_at = UtcDateTime(required=True)


def _parse(header: str) -> tuple[int, list[str]] | None:
    t, sigs = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            t = int(value)
        elif key == "v1" and value:
            sigs.append(value.strip().lower())
    return (t, sigs) if t is not None and sigs else None


def verify_signature(secret: str, header: str | None, body: bytes, now: float | None = None) -> bool:
    parsed = _parse(header or "")
    if parsed is None:
        return False
    t, sigs = parsed
    if abs((now if now is not None else time.time()) - t) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in sigs)


@blp.route("/completions", methods=["POST"])
@blp.doc(
    security=[], requestBody={"required": True, "content": {"application/json": {"schema": CompletionIn}}}
)
@blp.response(200, EnrolmentOut)
def completion():
    """The learning platform reports a completed course `{enrolment_id, completed_at}`, signed in
    `X-Imatter-Signature` (no user token). 401 for a missing, wrong or stale signature; 503 while no
    LEARNING_PLATFORM_SECRET is configured. The enrolment becomes `completed`."""
    secret = current_app.config.get("LEARNING_PLATFORM_SECRET")
    if not secret:
        raise ApiError("Completions from the learning platform are not configured.", 503)
    body = request.get_data(cache=True)
    if not verify_signature(secret, request.headers.get(SIGNATURE_HEADER), body):
        raise Unauthorized("Missing or invalid learning platform signature.")
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        raise ApiError("The body is not JSON.", 400, errors={"body": ["Must be a JSON object."]}) from None
    if not isinstance(payload, dict):
        raise ApiError("The body must be a JSON object.", 400, errors={"body": ["Must be a JSON object."]})
    try:
        data = CompletionIn().load(payload)
    except ValidationError as exc:
        raise ApiError(
            "Invalid completion.",
            400,
            errors={k: list(v) if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()},
        ) from None
    e = learning.complete(learning.get(data["enrolment_id"]))
    audit.record("change", "enrolment", e.id, user_id="learning-platform")
    db.session.commit()
    return e
