"""Password hashing (argon2id) and the sign-up password policy."""

from __future__ import annotations

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_LENGTH = 8
_DUMMY = hasher.hash("not-a-real-password-used-for-timing")


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
    return hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Constant-ish work whether or not the user exists."""
    try:
        return hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher.check_needs_rehash(stored_hash)
