"""Issuing and checking access tokens (RS256, signed with the gateway's private key)."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

import jwt
import sqlalchemy as sa
from flask import current_app, g

from imatter_shared.web.auth import AUDIENCE, ISSUER, bearer_token, decode_token, principal_from_claims
from imatter_shared.web.errors import Unauthorized

from .extensions import db
from .keys import read
from .models import RevokedToken, User

_private_cache: dict[str, str] = {}


def _private_key() -> str:
    path = current_app.config["JWT_PRIVATE_KEY_FILE"]
    if path not in _private_cache:
        _private_cache[path] = read(path)
    return _private_cache[path]


def _public_key() -> str:
    from imatter_shared.web.auth import load_public_key
    return load_public_key(current_app)


def issue(user: User) -> tuple[str, int]:
    ttl = int(current_app.config["ACCESS_TOKEN_TTL"])
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": user.id, "email": user.email, "name": user.name,
        "roles": user.roles, "ver": user.token_version, "iat": now, "nbf": now, "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, _private_key(), algorithm="RS256"), ttl


def verify_request_token(optional: bool = True) -> dict | None:
    """Check the bearer token fully: signature, claims, revocation and password changes."""
    token = bearer_token()
    if token is None:
        if optional:
            return None
        raise Unauthorized("Sign in first: this needs an access token.")
    try:
        claims = decode_token(token, _public_key())
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired; sign in again.")
    except jwt.InvalidTokenError:
        raise Unauthorized("The access token is not valid.")
    user = db.session.get(User, claims["sub"])
    if user is None or user.token_version != claims.get("ver"):
        raise Unauthorized("The access token is no longer valid; sign in again.")
    if db.session.get(RevokedToken, claims.get("jti", "")) is not None:
        raise Unauthorized("The access token was signed out; sign in again.")
    g.principal = principal_from_claims(claims)
    g.user_id = user.id
    g.claims = claims
    return claims


def revoke(claims: dict) -> None:
    exp = datetime.fromtimestamp(claims["exp"], timezone.utc).replace(tzinfo=None)
    if db.session.get(RevokedToken, claims["jti"]) is None:
        db.session.add(RevokedToken(jti=claims["jti"], expires_at=exp))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    db.session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < now))
