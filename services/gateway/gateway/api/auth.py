"""Sign-up, sign-in, sign-out, password change and /me: the HTTP edge of gateway/accounts.py."""

from __future__ import annotations

from marshmallow import Schema, fields

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import public

from .. import accounts, tokens
from ..accounts import LoginIn, PasswordChangeIn, RegisterIn, VerifyIn

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Accounts and sign-in")


class UserOut(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    email_verified = fields.Boolean()
    person_id = fields.String(allow_none=True)
    organisation_ids = fields.List(fields.String())


class VerifiedOut(Schema):
    email_verified = fields.Boolean()
    detail = fields.String()


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


@blp.route("/auth/register", methods=["POST"])
@blp.arguments(RegisterIn)
@blp.response(201, UserOut)
@public
def register(data):
    """Create an account (learner). The email is the sign-in name.

    The answer never says whether the address already has an account (security review L10):
    sign-up with a registered address answers exactly like a new one (201, the same body, with
    an `id` that names no account) and emails the address's owner a notice instead. The
    verification email (new accounts) or the notice (existing ones) goes only to the address
    itself. Concurrent sign-ups with one address make one account."""
    return accounts.register(data)


@blp.route("/auth/verify-email", methods=["POST"])
@blp.arguments(VerifyIn)
@blp.response(200, VerifiedOut)
@public
def verify_email(data):
    """Prove the account's email address with the emailed token (single use, 48 hours). No
    sign-in needed: the token is the proof. From the next request on, the account may be
    linked to its person, accept invitations and create organisations and people."""
    return accounts.verify_email(data)


@blp.route("/auth/verify-email/resend", methods=["POST"])
@blp.response(202, VerifiedOut)
def resend_verification():
    """Send a new verification link to the signed-in user (rate limited per account)."""
    return accounts.resend_verification(tokens.verify_request_token(optional=False))


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginIn)
@blp.response(200, TokenOut)
@public
def login(data):
    """Exchange email and password for a Bearer access token."""
    return accounts.login(data)


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End this access token now (it is refused from then on)."""
    accounts.logout(tokens.verify_request_token(optional=False))


@blp.route("/auth/refresh", methods=["POST"])
@blp.response(200, TokenOut)
def refresh():
    """A fresh token for a still-valid one; the old one is revoked. A session lasts at most
    SESSION_MAX_AGE (default 12 hours) from the password sign-in: refresh refuses (401) after
    that, and a refreshed token keeps the original sign-in time."""
    return accounts.refresh(tokens.verify_request_token(optional=False))


@blp.route("/auth/password", methods=["POST"])
@blp.arguments(PasswordChangeIn)
@blp.response(204)
def change_password(data):
    """Change the password; every token issued before stops working. Wrong current passwords
    are limited per account (RATE_LIMIT_PASSWORD_CHANGE; 429 with Retry-After past it)."""
    accounts.change_password(tokens.verify_request_token(optional=False), data)


@blp.route("/me", methods=["GET"])
@blp.response(200, UserOut)
def me():
    """The signed-in user with their roles, person and organisations (as of now)."""
    return accounts.me(tokens.verify_request_token(optional=False))
