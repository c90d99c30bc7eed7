"""Password hashing (argon2id) and the sign-up password policy."""

from __future__ import annotations

import functools
import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 8
# PASSWORD_HASH_PROFILE (Config): "standard" is argon2id with the library's recommended
# parameters (RFC 9106 low-memory: 3 passes, 64 MiB, 4 lanes; ~0.2 s of CPU per hash or check).
# "fast-for-tests" (1 pass, 1 MiB, 1 lane) exists only so that the test suite, which signs
# hundreds of people up and in, does not spend minutes of CPU in argon2; a real installation
# never sets it, and the app logs a warning when it is on. A hash made under one profile still
# verifies under the other (the parameters are in the hash), and a sign-in under "standard"
# rehashes a weaker hash (needs_rehash).
PROFILES = {
    "standard": {},
    "fast-for-tests": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
}


@functools.cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher(**PROFILES[profile])


@functools.cache
def _dummy(profile: str) -> str:
    return _hasher(profile).hash("not-a-real-password-used-for-timing")


def _profile() -> str:
    return current_app.config.get("PASSWORD_HASH_PROFILE", "standard") if has_app_context() else "standard"


def hasher() -> PasswordHasher:
    return _hasher(_profile())


def _load_common() -> frozenset[str]:
    path = os.path.join(os.path.dirname(__file__), "common_passwords.txt")
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip() and not line.startswith("#"))


COMMON = _load_common()


def policy_errors(password: str, email: str = "") -> list[str]:
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > 256:
        errors.append("Use at most 256 characters.")
    if password.lower() in COMMON:
        errors.append("This password is too common; choose another.")
    if email and password.lower() == email.lower():
        errors.append("The password must not be your email address.")
    return errors


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Constant-ish work whether or not the user exists."""
    profile = _profile()
    try:
        return _hasher(profile).verify(stored_hash or _dummy(profile), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)
