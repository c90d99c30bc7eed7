"""Password reset by email: the HTTP edge of gateway/accounts.py."""

from __future__ import annotations

from marshmallow import Schema, fields

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import public

from .. import accounts
from ..accounts import ConfirmIn, ResetIn

blp = Blueprint("password_reset", __name__, url_prefix="/api/v1/auth", description="Password reset by email")


class AcceptedOut(Schema):
    detail = fields.String()


@blp.route("/password-reset", methods=["POST"])
@blp.arguments(ResetIn)
@blp.response(202, AcceptedOut)
@public
def request_reset(data):
    """Email a reset link (valid 30 minutes, single use) if an account has this address.
    Always 202, whether or not it has, and in the same time: the answer reveals no accounts.
    Limited per client address (RATE_LIMIT_RESET_IP: 429 with Retry-After past it) and per
    email (RATE_LIMIT_RESET_EMAIL: still 202 past it, but nothing more is sent)."""
    return accounts.request_reset(data)


@blp.route("/password-reset/confirm", methods=["POST"])
@blp.arguments(ConfirmIn)
@blp.response(204)
@public
def confirm_reset(data):
    """Set a new password with the emailed token; every earlier access token stops working."""
    accounts.confirm_reset(data)
