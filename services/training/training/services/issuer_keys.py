"""I Matter Training's credential signing key (decision 0050): an RSA key pair whose private half
only the training service holds (CREDENTIALS_KEY_FILE, a deployment secret shared by every web
replica; made here only where CREDENTIALS_KEY_GENERATE is on, decision 0052), published as a JWK
set with each key named by its RFC 7638 thumbprint (`kid`). RS256, because Open Badges 3.0
section 8.2 requires every VC-JWT verifier to support it. Retired keys' public halves stay in the
set (CREDENTIALS_RETIRED_KEY_FILES), so credentials signed before a rotation still verify.
Signing and reading signatures is joserfc's."""

from __future__ import annotations

import os
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from imatter_shared.config import NOTIFICATION_DEFAULTS, var_dir

ALG = "RS256"
_lock = threading.Lock()
_cache: dict[tuple, tuple[RSAKey, KeySet]] = {}


def make_key_file(path: str) -> None:
    """Write a new private key to `path` unless one is there. Written aside, then linked into place
    (fails if another process got there first), so a reader never sees half a key."""
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another worker made it first: theirs is the key
    finally:
        os.unlink(tmp)


class SigningKeyMissing(RuntimeError):
    """The key file is not there and this process may not make one."""


def _missing(path: str) -> SigningKeyMissing:
    return SigningKeyMissing(
        f"CREDENTIALS_KEY_FILE={path}: no such file. Credentials are signed with one key shared by every "
        "training web process: create it once (deploy/make-secrets.sh training) and mount it; a process "
        "never makes its own outside development (CREDENTIALS_KEY_GENERATE, docs/deploying.md)"
    )


def check_at_start(app) -> None:
    """Stop the service at start when the key file it was given is missing and it may not make
    one. A process given no key file at all (the images' relay, consumer, mailer, scheduler) signs
    nothing and starts; signing there would fail with the same message."""
    cfg = app.config
    path = cfg["CREDENTIALS_KEY_FILE"]
    if cfg.get("CREDENTIALS_KEY_GENERATE") or os.path.exists(path) or path == _development_key():
        return
    raise _missing(path)


def _development_key() -> str:
    return os.path.join(var_dir(), "keys", "credentials_issuer.pem")


def _public_jwk(key: RSAKey) -> dict:
    return {**key.as_dict(private=False), "kid": key.thumbprint(), "use": "sig", "alg": ALG}


def _load() -> tuple[RSAKey, KeySet]:
    cfg = current_app.config
    path = cfg["CREDENTIALS_KEY_FILE"]
    retired = tuple(
        p.strip() for p in (cfg.get("CREDENTIALS_RETIRED_KEY_FILES") or "").split(",") if p.strip()
    )
    cache_key = (path, retired)
    if cache_key in _cache:
        return _cache[cache_key]
    with _lock:
        if cache_key not in _cache:
            if not os.path.exists(path):
                if not cfg.get("CREDENTIALS_KEY_GENERATE"):
                    raise _missing(path)
                make_key_file(path)
            with open(path, "rb") as fh:
                signing = RSAKey.import_key(fh.read())
            keys = [_public_jwk(signing)]
            for p in retired:
                with open(p, "rb") as fh:
                    keys.append(_public_jwk(RSAKey.import_key(fh.read())))
            _cache[cache_key] = (signing, KeySet.import_key_set({"keys": keys}))
    return _cache[cache_key]


def signing_kid() -> str:
    """The `kid` (RFC 7638 thumbprint) of the key that signs now."""
    return _load()[0].thumbprint()


def jwks() -> dict:
    """The public key set: the signing key first, then retired keys."""
    return _load()[1].as_dict(private=False)


def sign(claims: dict, typ: str = "JWT") -> str:
    key = _load()[0]
    return jwt.encode({"alg": ALG, "typ": typ, "kid": key.thumbprint()}, claims, key, algorithms=[ALG])


def read(token: str) -> dict:
    """The claims of a token signed by one of our keys; joserfc's errors (JoseError) otherwise."""
    return jwt.decode(token, _load()[1], algorithms=[ALG]).claims


def base_url() -> str:
    cfg = current_app.config
    return str(
        cfg.get("CREDENTIALS_BASE_URL") or cfg.get("PORTAL_URL") or NOTIFICATION_DEFAULTS["PORTAL_URL"]
    ).rstrip("/")


def issuer_id() -> str:
    return base_url() + "/api/v1/credentials/issuer"
