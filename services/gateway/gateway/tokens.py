"""Issuing and checking access tokens (RS256, signed with the gateway's private key)."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import OrderedDict
from datetime import UTC, datetime

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask import current_app, g, has_request_context, request

from imatter_shared.web.auth import (
    AUDIENCE,
    HOP_TOKEN_TTL,
    ISSUER,
    SERVICE_AUDIENCE,
    bearer_token,
    decode_token,
    principal_from_claims,
    public_key_object,
)
from imatter_shared.web.errors import Unauthorized
from imatter_shared.web.keyset import thumbprint

from .extensions import db
from .keys import read
from .models import RevokedToken, User

_private_cache: dict[tuple[str, int], tuple[object, dict]] = {}


def _signing() -> tuple[object, dict]:
    """The private key and the header naming it (`kid`, its public half's RFC 7638 thumbprint),
    read again when the key file changes: switching the signing key needs no restart. The key
    is kept loaded: parsing the PEM (with its RSA consistency checks) costs ~0.1 s of CPU, three
    hundred times the signature itself."""
    path = current_app.config["JWT_PRIVATE_KEY_FILE"]
    ident = (path, os.stat(path).st_mtime_ns)
    hit = _private_cache.get(ident)
    if hit is None:
        key = load_pem_private_key(read(path).encode("ascii"), password=None)
        hit = (key, {"kid": thumbprint(key.public_key())})
        if len(_private_cache) > 4:
            _private_cache.clear()
        _private_cache[ident] = hit
    return hit


def sign(claims: dict) -> str:
    key, headers = _signing()
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)


def _public_key():
    return public_key_object(current_app)


# The whole server-side check in one indexed round trip: the user's current token version
# (primary key) and whether this token's jti was signed out (primary key). No row: the user is
# gone. Plain columns, no ORM object, and deliberately no in-process cache, so a logout or a
# password change on one worker refuses the token on every worker from the next request.
_CHECK = sa.select(
    User.__table__.c.token_version,
    User.__table__.c.roles_json,
    User.__table__.c.email_verified,
    sa.exists().where(RevokedToken.__table__.c.jti == sa.bindparam("jti")).label("revoked"),
).where(User.__table__.c.id == sa.bindparam("sub"))


_compiled: dict[object, tuple[str, tuple[str, ...] | None]] = {}


def _server_side_check(sub: str, jti: str) -> tuple | None:
    """_CHECK's row (token_version, roles_json, email_verified, revoked) for this user and token,
    run on every call, on a pooled DBAPI connection with its SQL compiled once per engine: the
    same query and the same pool (checkout, pre-ping where configured, reset on return), without
    a Core Connection and result object around one row (~60 us of the ~150 us the check cost).
    A database error is raised as SQLAlchemy raises it (DBAPIError, bound values hidden), so the
    error handlers answer it as before; a lost connection is invalidated as SQLAlchemy would."""
    engine = db.engine
    compiled = _compiled.get(engine)
    if compiled is None:
        c = _CHECK.compile(dialect=engine.dialect)
        if len(_compiled) > 8:  # an engine per app: a test session makes a few
            _compiled.clear()
        compiled = _compiled[engine] = (c.string, tuple(c.positiontup) if c.positiontup else None)
    sql, order = compiled
    params = {"sub": sub, "jti": jti}
    args = tuple(params[k] for k in order) if order else params
    try:
        raw = engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error as exc:
        # the pool's checkout connecting anew (a restarted or unreachable server): raised as a Core
        # Connection raises it (OperationalError, answered 503), not as the driver's own error
        raise _as_sqlalchemy_error(engine, exc, engine.dialect.is_disconnect(exc, None, None)) from exc
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(sql, args)
            return cursor.fetchone()
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error as exc:
        gone = engine.dialect.is_disconnect(exc, raw.dbapi_connection, None)
        if gone:
            raw.invalidate(exc)
        raise _as_sqlalchemy_error(engine, exc, gone, sql, args) from exc
    finally:
        raw.close()


def _as_sqlalchemy_error(engine, exc, gone: bool, sql=None, args=None) -> sa.exc.DBAPIError:
    """The driver's error as a Core Connection raises it (OperationalError for a lost or
    unreachable server: answered 503), its bound values hidden."""
    return sa.exc.DBAPIError.instance(
        sql,
        args,
        exc,
        engine.dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=gone,
        dialect=engine.dialect,
    )


def issue(user: User, auth_time: int | None = None) -> tuple[str, int]:
    """A client access token. `auth_time` is when the user signed in with their password: a
    refreshed token keeps it, and refresh stops SESSION_MAX_AGE after it (security review L3)."""
    ttl = int(current_app.config["ACCESS_TOKEN_TTL"])
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user.id,
        "email": user.email,
        "name": user.name,
        "roles": user.roles,
        "email_verified": bool(user.email_verified),
        "ver": user.token_version,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "auth_time": int(auth_time if auth_time is not None else now),
    }
    return sign(claims), ttl


def verify_request_token(optional: bool = True) -> dict | None:
    """Check the bearer token fully: signature, claims, revocation and password changes."""
    token = bearer_token()
    if token is None:
        if optional:
            return None
        raise Unauthorized("Sign in first: this needs an access token.")
    return verify_token(token)


def verify_token(token: str) -> dict:
    """A client token's claims, as of now: signature and expiry, then the database (signed out,
    password changed, account gone). Roles and email verification are replaced by what the
    database says now, so a removed role or a fresh verification counts on the next request."""
    # once per request (a portal page makes several calls); never across requests
    seen = request.environ.setdefault("imatter.verified_tokens", {}) if has_request_context() else {}
    cached = seen.get(token)
    if cached is not None:
        return cached
    try:
        claims = decode_token(token, _public_key(), audience=AUDIENCE)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired; sign in again.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The access token is not valid.") from None
    row = _server_side_check(str(claims["sub"]), str(claims.get("jti", "")))
    if row is None or row[0] != claims.get("ver"):
        raise Unauthorized("The access token is no longer valid; sign in again.")
    token_version, roles_json, email_verified, revoked = row
    if revoked:
        raise Unauthorized("The access token was signed out; sign in again.")
    claims["roles"] = json.loads(roles_json)
    claims["email_verified"] = bool(email_verified)
    g.principal = principal_from_claims(claims)
    g.user_id = str(claims["sub"])
    g.claims = claims
    seen[token] = claims
    return claims


_hop_cache: OrderedDict[tuple, tuple[str, float]] = OrderedDict()
_hop_lock = threading.Lock()


def hop_token(claims: dict) -> str:
    """The token a service gets for this caller: signed here, audience imatter-services, valid
    HOP_TOKEN_TTL seconds, with the roles and verification read from the database this request.
    Reused within a process while its facts are unchanged and it has over half its life left
    (an RSA signature per forwarded call would cost more than the forward itself)."""
    key = (
        claims["sub"],
        claims.get("jti", ""),
        claims.get("ver"),
        tuple(sorted(claims.get("roles") or [])),
        bool(claims.get("email_verified")),
    )
    now = time.time()
    hit = _hop_cache.get(key)
    if hit is not None and hit[1] - now > HOP_TOKEN_TTL / 2:
        return hit[0]
    iat = int(now)
    hop = {
        "iss": ISSUER,
        "aud": SERVICE_AUDIENCE,
        "sub": claims["sub"],
        "email": claims.get("email", ""),
        "name": claims.get("name", ""),
        "roles": list(claims.get("roles") or []),
        "email_verified": bool(claims.get("email_verified")),
        "ver": claims.get("ver"),
        "iat": iat,
        "nbf": iat,
        "exp": min(iat + HOP_TOKEN_TTL, int(claims["exp"])),
        "jti": claims.get("jti", ""),
    }
    token = sign(hop)
    with _hop_lock:
        _hop_cache[key] = (token, float(hop["exp"]))
        while len(_hop_cache) > 4096:
            _hop_cache.popitem(last=False)
    return token


def hop_authorization(client_token: str | None) -> str | None:
    """`Bearer <hop token>` for a client token (checked in full first), or None without one."""
    if not client_token:
        return None
    return "Bearer " + hop_token(verify_token(client_token))


def session_started(claims: dict) -> int:
    """When this token's session began (sign-in with the password); older tokens lack the
    claim and count from their own issue time."""
    try:
        return int(claims.get("auth_time", claims["iat"]))
    except (TypeError, ValueError):
        return int(claims["iat"])


def revoke(claims: dict) -> None:
    exp = datetime.fromtimestamp(claims["exp"], UTC).replace(tzinfo=None)
    if db.session.get(RevokedToken, claims["jti"]) is None:
        db.session.add(RevokedToken(jti=claims["jti"], expires_at=exp))
    now = datetime.now(UTC).replace(tzinfo=None)
    db.session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < now))
