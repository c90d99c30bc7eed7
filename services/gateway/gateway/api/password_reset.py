"""Password reset by email (issue 12)."""

from __future__ import annotations

import time

from flask import current_app
from marshmallow import Schema, fields, validate

from imatter_shared.web.api import Blueprint

from .. import password_reset, ratelimit
from ..extensions import db

blp = Blueprint("password_reset", __name__, url_prefix="/api/v1/auth", description="Password reset by email")


class ResetIn(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class ConfirmIn(Schema):
    token = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class AcceptedOut(Schema):
    detail = fields.String()


@blp.route("/password-reset", methods=["POST"])
@blp.arguments(ResetIn)
@blp.response(202, AcceptedOut)
def request_reset(data):
    """Email a reset link (valid 30 minutes, single use) if an account has this address.
    Always 202, whether or not it has, and in the same time: the answer reveals no accounts.
    Limited per client address (RATE_LIMIT_RESET_IP: 429 with Retry-After past it) and per
    email (RATE_LIMIT_RESET_EMAIL: still 202 past it, but nothing more is sent)."""
    started = time.monotonic()
    ratelimit.hit("reset-ip", "RATE_LIMIT_RESET_IP", "ip:" + ratelimit.client_ip(), "password-reset")
    password_reset.request_reset(data["email"])
    db.session.commit()
    # answer no sooner than this after the request began, account or not (timing; L10)
    floor = float(current_app.config.get("RESET_MIN_SECONDS", 0.25))
    left = floor - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)
    return {"detail": "If an account uses this address, a reset link is on its way."}


@blp.route("/password-reset/confirm", methods=["POST"])
@blp.arguments(ConfirmIn)
@blp.response(204)
def confirm_reset(data):
    """Set a new password with the emailed token; every earlier access token stops working."""
    password_reset.confirm_reset(data["token"], data["new_password"])
    db.session.commit()
