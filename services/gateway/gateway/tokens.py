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


def _public_key():
    from imatter_shared.web.auth import public_key_object
    return public_key_object(current_app)


# The whole server-side check in one indexed round trip: the user's current token version
# (primary key) and whether this token's jti was signed out (primary key). No row: the user is
# gone. Plain columns, no ORM object, and deliberately no in-process cache, so a logout or a
# password change on one worker refuses the token on every worker from the next request.
_CHECK = sa.select(
    User.__table__.c.token_version,
    sa.exists().where(RevokedToken.__table__.c.jti == sa.bindparam("jti")).label("revoked"),
).where(User.__table__.c.id == sa.bindparam("sub"))


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
    with db.engine.connect() as conn:  # a pooled connection, not the ORM session: nothing to track
        row = conn.execute(_CHECK, {"sub": str(claims["sub"]), "jti": str(claims.get("jti", ""))}).first()
    if row is None or row.token_version != claims.get("ver"):
        raise Unauthorized("The access token is no longer valid; sign in again.")
    if row.revoked:
        raise Unauthorized("The access token was signed out; sign in again.")
    g.principal = principal_from_claims(claims)
    g.user_id = str(claims["sub"])
    g.claims = claims
    return claims


def revoke(claims: dict) -> None:
    exp = datetime.fromtimestamp(claims["exp"], timezone.utc).replace(tzinfo=None)
    if db.session.get(RevokedToken, claims["jti"]) is None:
        db.session.add(RevokedToken(jti=claims["jti"], expires_at=exp))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    db.session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < now))
