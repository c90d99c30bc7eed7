"""Access-token checks shared by every service.

The gateway signs access tokens with its private key (RS256); services hold only the
public key, so no service can mint a token. Allowed algorithms are an explicit list;
`aud`, `iss`, `exp` and `sub` are required.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import jwt
from flask import current_app, g, request

from imatter_shared import audit

from .errors import Forbidden, Unauthorized
from .keyset import KeySet, verification_keys
from .openapi_conventions import public  # noqa: F401  (views import it from here, beside require_auth)

log = logging.getLogger("imatter.auth")

ALGORITHMS = ["RS256"]
# Client tokens (what sign-in returns) are for the gateway alone. The gateway checks them against
# its database on every request (revocation, password changes, roles, email verification) and
# forwards a short-lived hop token of its own to the service: services accept hop tokens only,
# so a revoked or stale client token sent straight to a service is refused (docs/decisions/0014).
AUDIENCE = "imatter"
SERVICE_AUDIENCE = "imatter-services"
HOP_TOKEN_TTL = 60
ISSUER = "imatter-gateway"


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str
    name: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)
    token_id: str = ""
    # the gateway says so in every hop token, read from its database on that request
    email_verified: bool = False

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def public_key_object(app) -> KeySet:
    """The keys a token may be signed with (imatter_shared.web.keyset): the current public key and
    any kept for rotation, each parsed once per process (parsing a PEM on every request was a
    measurable share of each token check, docs/performance.md)."""
    return verification_keys(app)


class UnknownKeyId(jwt.InvalidTokenError):
    """The token's header names a key (kid) that is not in the verifier's key set."""


LEEWAY = 5
_VERIFIED_MAX = 2048
_verified: OrderedDict[tuple[str, object], tuple[dict, object]] = OrderedDict()
_verified_lock = threading.Lock()


def decode_token(token: str, public_key, audience: str = SERVICE_AUDIENCE) -> dict:
    """The token's claims, or jwt's InvalidTokenError (ExpiredSignatureError when expired).

    A token verified once with this key is remembered (bounded LRU, this process only), so a
    client's repeated calls skip PyJWT's parsing and the RSA check, measurably the largest
    part of a token check (docs/performance.md). What is remembered can't change: the same
    bytes, the same key, the same signature, audience, issuer and claims. Expiry is still checked
    on every call, exactly as PyJWT checks it; only tokens that passed are remembered (a forged
    token is refused anew each time). `public_key` is a key (PEM or key object) or a KeySet, whose
    key is picked by the token's `kid` header. Revocation is not decided here either way: the gateway
    looks it up in its database on every request."""
    ident = (public_key if isinstance(public_key, str) else id(public_key), audience)
    hit = _verified.get((token, ident))
    if hit is not None and hit[1] is public_key:
        claims = hit[0]
        if int(claims["exp"]) <= time.time() - LEEWAY:
            raise jwt.ExpiredSignatureError("Signature has expired")
        with _verified_lock:
            if (token, ident) in _verified:
                _verified.move_to_end((token, ident))
        return dict(claims)
    key = public_key
    if isinstance(public_key, KeySet):  # the key the token's header names (kid), or the current one
        kid = jwt.get_unverified_header(token).get("kid")
        key = public_key.key_for(kid) if isinstance(kid, str | None) else None
        if key is None:
            raise UnknownKeyId("The token names a signing key this service does not hold.")
    claims = jwt.decode(
        token,
        key,
        algorithms=ALGORITHMS,
        audience=audience,
        issuer=ISSUER,
        options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        leeway=LEEWAY,
    )
    with _verified_lock:
        # the key object rides along: while the entry lives its id() cannot be reused
        _verified[(token, ident)] = (dict(claims), public_key)
        while len(_verified) > _VERIFIED_MAX:
            _verified.popitem(last=False)
    return claims


def principal_from_claims(claims: dict) -> Principal:
    return Principal(
        user_id=str(claims["sub"]),
        email=str(claims.get("email", "")).lower(),
        name=str(claims.get("name", "")),
        roles=frozenset(claims.get("roles") or []),
        token_id=str(claims.get("jti", "")),
        email_verified=claims.get("email_verified") is True,
    )


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


def current_principal(optional: bool = False) -> Principal | None:
    """The signed-in caller, or None when optional and no token was sent.

    A token that is present but invalid is always a 401, even where sign-in is optional.
    """
    if "principal" in g:
        return g.principal
    token = bearer_token()
    if token is None:
        if optional:
            return None
        raise Unauthorized("Sign in first: this needs an access token.")
    try:
        claims = decode_token(token, public_key_object(current_app))
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired; sign in again.") from None
    except jwt.InvalidTokenError as exc:
        log.info("token refused", extra={"ctx_reason": type(exc).__name__})
        raise Unauthorized("The access token is not valid.") from None
    g.principal = principal_from_claims(claims)
    g.user_id = g.principal.user_id
    return g.principal


def require_auth(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        current_principal()
        return fn(*args, **kwargs)

    return wrapper


def require_roles(*roles: str):
    """Function-level access: the caller must hold one of the global roles."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            p = current_principal()
            if not p.has_role(*roles):
                log.warning(
                    "access refused",
                    extra={"ctx_user": p.user_id, "ctx_path": request.path, "ctx_need": sorted(roles)},
                )
                raise Forbidden("This needs one of the roles: " + ", ".join(sorted(roles)) + ".")
            return fn(*args, **kwargs)

        return wrapper

    return deco


def log_refusal(what: str, record_id: str) -> None:
    """Object-level refusals answer 404 (no leak of existence) but are logged."""
    p = g.get("principal")
    log.warning(
        "object access refused",
        extra={
            "ctx_user": getattr(p, "user_id", None),
            "ctx_record": f"{what}:{record_id}",
            "ctx_path": request.path,
        },
    )
    if "imatter_audit" in current_app.extensions:  # and kept in the service's audit trail
        audit.record("refused", what, record_id)
