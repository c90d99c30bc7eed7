"""Single-use tokens sent by email (verification, password reset): only their hash is stored,
and the link in the email points at the portal page that takes them."""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """sha256 hex: what the token tables store and look up (the token itself is never stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def portal_link(path: str, token: str) -> str:
    """`PORTAL_URL` + `path` with the token as its query (relative when PORTAL_URL is unset)."""
    portal = str(current_app.config.get("PORTAL_URL") or "").rstrip("/")
    return f"{portal}{path}?token={token}"
