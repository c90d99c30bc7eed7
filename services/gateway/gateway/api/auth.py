"""Sign-up, sign-in, sign-out, password change and /me."""

from __future__ import annotations

import logging
import time
import uuid

import sqlalchemy as sa
from flask import current_app, g, request
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from imatter_shared.notifications import notify
from imatter_shared.web.api import Blueprint
from imatter_shared.web.errors import ApiError, Unauthorized

from .. import email_verification, passwords, ratelimit, tokens
from ..extensions import db
from ..models import User
from ..upstream import fetch_principal

log = logging.getLogger("imatter.gateway.auth")
blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Accounts and sign-in")


class RegisterIn(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LoginIn(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class PasswordChangeIn(Schema):
    current_password = fields.String(required=True, load_only=True)
    new_password = fields.String(required=True, load_only=True)


class UserOut(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    email_verified = fields.Boolean()
    person_id = fields.String(allow_none=True)
    organisation_ids = fields.List(fields.String())


class VerifyIn(Schema):
    token = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class VerifiedOut(Schema):
    email_verified = fields.Boolean()
    detail = fields.String()


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


def _user_out(user: User, extra: dict | None = None) -> dict:
    extra = extra or {}
    roles = set(user.roles) | set(extra.get("roles") or [])
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": sorted(roles),
        "email_verified": bool(user.email_verified),
        "person_id": extra.get("person_id"),
        "organisation_ids": extra.get("organisation_ids") or [],
    }


@blp.route("/auth/register", methods=["POST"])
@blp.arguments(RegisterIn)
@blp.response(201, UserOut)
def register(data):
    """Create an account (learner). The email is the sign-in name.

    The answer never says whether the address already has an account (security review L10):
    sign-up with a registered address answers exactly like a new one (201, the same body, with
    an `id` that names no account) and emails the address's owner a notice instead. The
    verification email (new accounts) or the notice (existing ones) goes only to the address
    itself. Concurrent sign-ups with one address make one account."""
    ratelimit.hit_register()  # 429 past RATE_LIMIT_REGISTER per client address
    email = data["email"].strip().lower()
    problems = passwords.policy_errors(data["password"], email)
    if problems:
        raise ApiError("Choose a stronger password.", 400, errors={"password": problems})
    name = data["name"].strip()
    password_hash = passwords.hash_password(data["password"])  # also for a taken address: same work
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is None:
        user = User(email=email, name=name, password_hash=password_hash)
        user.roles = ["learner"]
        try:
            db.session.add(user)
            db.session.flush()
            email_verification.send(user)  # the link to prove the address, in the same commit
            db.session.commit()
            return _user_out(user)
        except IntegrityError:  # a concurrent sign-up with the same address won the unique email
            db.session.rollback()
            existing = db.session.scalar(sa.select(User).where(User.email == email))
            if existing is None:
                raise
    _tell_owner(existing)
    db.session.commit()
    return {
        "id": uuid.uuid4().hex,
        "email": email,
        "name": name,
        "roles": ["learner"],
        "email_verified": False,
        "person_id": None,
        "organisation_ids": [],
    }


def _tell_owner(user: User) -> None:
    """Email the owner of an address someone tried to sign up with (a few a day at most)."""
    if ratelimit.allow("account-notice", "RATE_LIMIT_ACCOUNT_NOTICE", "email:" + user.email):
        notify("account_exists", to=user.email, recipient=user.id, context={"name": user.name})


@blp.route("/auth/verify-email", methods=["POST"])
@blp.arguments(VerifyIn)
@blp.response(200, VerifiedOut)
def verify_email(data):
    """Prove the account's email address with the emailed token (single use, 48 hours). No
    sign-in needed: the token is the proof. From the next request on, the account may be
    linked to its person, accept invitations and create organisations and people."""
    email_verification.verify(data["token"])
    db.session.commit()
    return {"email_verified": True, "detail": "Thank you: your email address is confirmed."}


@blp.route("/auth/verify-email/resend", methods=["POST"])
@blp.response(202, VerifiedOut)
def resend_verification():
    """Send a new verification link to the signed-in user (rate limited per account)."""
    claims = tokens.verify_request_token(optional=False)
    user = db.session.get(User, claims["sub"])
    if user.email_verified:
        return {"email_verified": True, "detail": "Your email address is already confirmed."}
    ratelimit.hit("verify-resend", "RATE_LIMIT_VERIFY_RESEND", "user:" + user.id, "verification email")
    email_verification.send(user)
    db.session.commit()
    return {"email_verified": False, "detail": "A new verification link is on its way."}


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginIn)
@blp.response(200, TokenOut)
def login(data):
    """Exchange email and password for a Bearer access token."""
    email = data["email"].strip().lower()
    ratelimit.check_login(email)  # 429 once this email or address has used up its failures
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if not passwords.verify(user.password_hash if user else None, data["password"]):
        log.info("login failed", extra={"ctx_remote": request.remote_addr})
        ratelimit.login_failed(email)
        raise Unauthorized("The email or password is not right.")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(data["password"])
        db.session.commit()
    token, ttl = tokens.issue(user)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End this access token now (it is refused from then on)."""
    claims = tokens.verify_request_token(optional=False)
    tokens.revoke(claims)
    db.session.commit()


@blp.route("/auth/refresh", methods=["POST"])
@blp.response(200, TokenOut)
def refresh():
    """A fresh token for a still-valid one; the old one is revoked. A session lasts at most
    SESSION_MAX_AGE (default 12 hours) from the password sign-in: refresh refuses (401) after
    that, and a refreshed token keeps the original sign-in time."""
    claims = tokens.verify_request_token(optional=False)
    started = tokens.session_started(claims)
    if time.time() >= started + int(current_app.config.get("SESSION_MAX_AGE", 12 * 3600)):
        raise Unauthorized("This session is too old to refresh; sign in again.")
    user = db.session.get(User, claims["sub"])
    tokens.revoke(claims)
    token, ttl = tokens.issue(user, auth_time=started)
    db.session.commit()
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}


@blp.route("/auth/password", methods=["POST"])
@blp.arguments(PasswordChangeIn)
@blp.response(204)
def change_password(data):
    """Change the password; every token issued before stops working. Wrong current passwords
    are limited per account (RATE_LIMIT_PASSWORD_CHANGE; 429 with Retry-After past it)."""
    claims = tokens.verify_request_token(optional=False)
    user = db.session.get(User, claims["sub"])
    ratelimit.check("password-change", "RATE_LIMIT_PASSWORD_CHANGE", "user:" + user.id, "password change")
    if not passwords.verify(user.password_hash, data["current_password"]):
        ratelimit.count("password-change", "RATE_LIMIT_PASSWORD_CHANGE", "user:" + user.id)
        raise ApiError("The current password is not right.", 400, errors={"current_password": ["Not right."]})
    problems = passwords.policy_errors(data["new_password"], user.email)
    if problems:
        raise ApiError("Choose a stronger password.", 400, errors={"new_password": problems})
    user.password_hash = passwords.hash_password(data["new_password"])
    user.token_version += 1
    db.session.commit()


@blp.route("/me", methods=["GET"])
@blp.response(200, UserOut)
def me():
    """The signed-in user with their roles, person and organisations (as of now)."""
    claims = tokens.verify_request_token(optional=False)
    user = db.session.get(User, claims["sub"])
    extra = fetch_principal("Bearer " + tokens.hop_token(claims), g.request_id)
    return _user_out(user, extra)
