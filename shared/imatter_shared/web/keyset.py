"""The set of public keys a token may be signed with, read from local files (never the network).

Every verifier (the gateway for client tokens, each service for hop tokens) holds:
- the current public key: JWT_PUBLIC_KEY (PEM text) or JWT_PUBLIC_KEY_FILE;
- the keys kept for rotation: every `*.pem` file in JWT_EXTRA_KEYS_DIR (default: the directory of
  JWT_PUBLIC_KEY_FILE, files named `jwt_public.<anything>.pem`, e.g. `jwt_public.previous.pem`),
  and the keys of a JWKS document at JWT_JWKS_FILE (e.g. a copy of the gateway's
  /.well-known/jwks.json), when set.

Each key is known by its RFC 7638 thumbprint (`kid`), which the gateway writes into every token's
header. A token naming a kid is checked with that key alone, and refused when no key in the set
has it; a token without a kid (issued before kids existed) is checked with the current key.
The set is read again when a file's modification time changes, so adding or removing a key file
takes effect on the next request without a restart (docs/deploying.md, "Rotating the signing key").
"""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import os
import threading
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from jwt import PyJWKSet

EXTRA_PATTERN = "jwt_public.*.pem"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_jwk(key: RSAPublicKey) -> dict:
    """The key as a JWK with its kid (RFC 7638 thumbprint), `use: sig` and `alg: RS256`."""
    numbers = key.public_numbers()
    members = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode("ascii")
    return {**members, "kid": kid, "use": "sig", "alg": "RS256"}


def thumbprint(key: RSAPublicKey) -> str:
    return public_jwk(key)["kid"]


def kid_of_private_pem(pem: str) -> str:
    """The kid the gateway writes into the header of a token it signs with this private key."""
    return thumbprint(load_pem_private_key(pem.encode("ascii"), password=None).public_key())


@dataclass
class KeySet:
    current: object  # the key a token without a kid is checked with
    by_kid: dict[str, object] = field(default_factory=dict)
    jwks: list[dict] = field(default_factory=list)  # what the gateway publishes (current first)

    def key_for(self, kid: str | None):
        """The key for this kid, the current key when there is none, or None (unknown kid)."""
        return self.current if kid is None else self.by_kid.get(kid)


def _parse_pem(pem: str):
    try:
        return load_pem_public_key(pem.encode("ascii"))
    except (ValueError, TypeError, UnicodeError):
        return None


def build(current_pem: str, extra_pems: list[str] = (), jwks_docs: list[dict] = ()) -> KeySet:
    current = _parse_pem(current_pem)
    ks = KeySet(current=current if current is not None else current_pem)
    keys = [current] + [_parse_pem(p) for p in extra_pems]
    for key in keys:
        if isinstance(key, RSAPublicKey):
            jwk = public_jwk(key)
            if jwk["kid"] not in ks.by_kid:
                ks.by_kid[jwk["kid"]] = key
                ks.jwks.append(jwk)
    for doc in jwks_docs:
        for jwk in PyJWKSet.from_dict(doc).keys:
            key = jwk.key
            if isinstance(key, RSAPublicKey) and jwk.key_id and jwk.key_id not in ks.by_kid:
                # a key id is kept only when it is the key's own thumbprint: an entry cannot pose
                # as another key by naming that key's kid
                if thumbprint(key) == jwk.key_id:
                    ks.by_kid[jwk.key_id] = key
                    ks.jwks.append(public_jwk(key))
    return ks


def _mtime(path: str | None) -> int:
    try:
        return os.stat(path).st_mtime_ns if path else 0
    except OSError:
        return 0


def _read(path: str) -> str:
    with open(path, encoding="ascii") as fh:
        return fh.read()


_cache: dict[tuple, KeySet] = {}
_lock = threading.Lock()


def verification_keys(app) -> KeySet:
    """The app's key set, parsed once per set of files: a few stat() calls per request decide
    whether a key file changed, was added (the directory's time changes) or removed."""
    pem = app.config.get("JWT_PUBLIC_KEY")
    current_file = None if pem else app.config.get("JWT_PUBLIC_KEY_FILE")
    if not pem and not current_file:
        raise RuntimeError("JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE must be configured")
    # beside the current key file by default; with the key given as text, only where configured
    extra_dir = app.config.get("JWT_EXTRA_KEYS_DIR") or (
        os.path.dirname(current_file) if current_file else None
    )
    jwks_file = app.config.get("JWT_JWKS_FILE") or None
    ident = (
        pem,
        current_file,
        _mtime(current_file),
        extra_dir,
        _mtime(extra_dir),
        jwks_file,
        _mtime(jwks_file),
    )
    ks = _cache.get(ident)
    if ks is not None:
        return ks
    extras = sorted(glob.glob(os.path.join(extra_dir, EXTRA_PATTERN))) if extra_dir else []
    if current_file:
        extras = [p for p in extras if os.path.abspath(p) != os.path.abspath(current_file)]
    docs = [json.loads(_read(jwks_file))] if jwks_file and os.path.exists(jwks_file) else []
    ks = build(pem or _read(current_file), [_read(p) for p in extras], docs)
    with _lock:
        if len(_cache) > 8:  # keys rotate rarely; keep the cache from growing regardless
            _cache.clear()
        _cache[ident] = ks
    return ks
