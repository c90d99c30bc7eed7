"""Accounts: sign-up, email verification, sign-in and sign-out, token refresh, password change
and reset, and the signed-in user as of now. One implementation, two callers: the account API
(gateway/api/auth.py, gateway/api/password_reset.py) and the portal's pages (portal/client.py),
so both give the same answers and the same error messages.

Each operation takes what it acts on explicitly (the input as the `*In` schemas load it, the
token's claims as tokens.verify_token checks them), commits its own change and raises the shared
errors (InvalidInput, Unauthorized; a 429 through ratelimit), which the caller renders.
"""

from __future__ import annotations

import logging
import time
import uuid

import sqlalchemy as sa
from flask import current_app, g, request
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from imatter_shared.notifications import notify
from imatter_shared.web.errors import InvalidInput, Unauthorized

from . import email_verification, password_reset, passwords, ratelimit, tokens
from .extensions import db
from .models import User
from .upstream import fetch_principal

log = logging.getLogger("imatter.gateway.auth")


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


class VerifyIn(Schema):
    token = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class ResetIn(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class ConfirmIn(Schema):
    token = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


def user_out(user: User, extra: dict | None = None) -> dict:
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


def register(data: dict) -> dict:
    """Create an account (learner). The answer never says whether the address already has an
    account (security review L10): a taken address answers like a new one, with an `id` that
    names no account, and its owner is emailed a notice instead."""
    ratelimit.hit_register()  # 429 past RATE_LIMIT_REGISTER per client address
    email = data["email"].strip().lower()
    problems = passwords.policy_errors(data["password"], email)
    if problems:
        raise InvalidInput("password", detail="Choose a stronger password.", errors={"password": problems})
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
            return user_out(user)
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
    """Email the owner of an address someone tried to sign up with (a few a day at most).

    The request's connection goes back to the pool before the rate limiter takes its own: a
    request never holds two connections at once, so simultaneous sign-ups with one address (all
    released together when the first commits) cannot use up the pool waiting for a second one."""
    email, user_id, name = user.email, user.id, user.name
    db.session.commit()
    if ratelimit.allow("account-notice", "RATE_LIMIT_ACCOUNT_NOTICE", "email:" + email):
        notify("account_exists", to=email, recipient=user_id, context={"name": name})


def verify_email(data: dict) -> dict:
    email_verification.verify(data["token"])
    db.session.commit()
    return {"email_verified": True, "detail": "Thank you: your email address is confirmed."}


def resend_verification(claims: dict) -> dict:
    user = db.session.get(User, claims["sub"])
    if user.email_verified:
        return {"email_verified": True, "detail": "Your email address is already confirmed."}
    ratelimit.hit("verify-resend", "RATE_LIMIT_VERIFY_RESEND", "user:" + user.id, "verification email")
    email_verification.send(user)
    db.session.commit()
    return {"email_verified": False, "detail": "A new verification link is on its way."}


def login(data: dict) -> dict:
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


def logout(claims: dict) -> None:
    tokens.revoke(claims)
    db.session.commit()


def refresh(claims: dict) -> dict:
    started = tokens.session_started(claims)
    if time.time() >= started + int(current_app.config.get("SESSION_MAX_AGE", 12 * 3600)):
        raise Unauthorized("This session is too old to refresh; sign in again.")
    user = db.session.get(User, claims["sub"])
    tokens.revoke(claims)
    token, ttl = tokens.issue(user, auth_time=started)
    db.session.commit()
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}


def change_password(claims: dict, data: dict) -> None:
    user = db.session.get(User, claims["sub"])
    ratelimit.check("password-change", "RATE_LIMIT_PASSWORD_CHANGE", "user:" + user.id, "password change")
    if not passwords.verify(user.password_hash, data["current_password"]):
        ratelimit.count("password-change", "RATE_LIMIT_PASSWORD_CHANGE", "user:" + user.id)
        raise InvalidInput("current_password", "Not right.", detail="The current password is not right.")
    problems = passwords.policy_errors(data["new_password"], user.email)
    if problems:
        raise InvalidInput(
            "new_password", detail="Choose a stronger password.", errors={"new_password": problems}
        )
    user.password_hash = passwords.hash_password(data["new_password"])
    user.token_version += 1
    db.session.commit()


def me(claims: dict) -> dict:
    """The signed-in user with their roles, person and organisations (as of now, from training)."""
    user = db.session.get(User, claims["sub"])
    extra = fetch_principal("Bearer " + tokens.hop_token(claims), g.request_id)
    return user_out(user, extra)


def request_reset(data: dict) -> dict:
    """Email a reset link if an account has this address; the same answer, in the same time,
    either way (L10)."""
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


def confirm_reset(data: dict) -> None:
    password_reset.confirm_reset(data["token"], data["new_password"])
    db.session.commit()
