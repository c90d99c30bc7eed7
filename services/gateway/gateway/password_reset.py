"""Password reset by email: single-use tokens, valid 30 minutes, stored only as a SHA-256 hash.

Asking never reveals whether an account exists (always 202). Confirming sets the new password,
bumps `token_version` (every access token issued before stops working), uses up every other
outstanding reset token of that user and sends a "your password was changed" notice.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from imatter_shared.dataprotection.annotations import NOT_PII, pii
from imatter_shared.notifications import notify
from imatter_shared.timeutil import naive_utcnow as utcnow  # the DateTime columns hold naive UTC
from imatter_shared.web.errors import InvalidInput

from . import passwords, ratelimit
from .emailed_tokens import new_token, portal_link, token_hash
from .extensions import db
from .models import User

TOKEN_TTL = timedelta(minutes=30)
MAX_OPEN_TOKENS = 3  # per user per TTL: more requests send no more email (no mail-bombing)


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"
    token_hash = sa.Column(
        sa.String(64), primary_key=True, info=NOT_PII
    )  # sha256 hex; the token is never stored
    user_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
        info=pii("identifier", "password reset", "contract", "1 days after expires_at", subject="user_id"),
    )
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    expires_at = sa.Column(sa.DateTime, nullable=False)
    used_at = sa.Column(sa.DateTime, nullable=True)


def request_reset(email: str) -> None:
    """Write a token and its email (same commit) when the account exists and may have another.

    The same work whether or not an account has the address (security review L10): the
    lookup, the per-email count, the open-token count and a token are made either way; only
    the two inserts differ, and the API answers no sooner than RESET_MIN_SECONDS after the
    request began (api/password_reset.py), so timing tells nothing."""
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    # past RATE_LIMIT_RESET_EMAIL for this address: the answer stays 202, nothing more is sent
    within_limit = ratelimit.allow("reset-email", "RATE_LIMIT_RESET_EMAIL", "email:" + email)
    now = utcnow()
    open_tokens = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PasswordResetToken)
            .where(
                PasswordResetToken.user_id == (user.id if user is not None else ""),
                PasswordResetToken.used_at.is_(None),
                PasswordResetToken.expires_at > now,
            )
        )
        or 0
    )
    token = new_token()
    hashed = token_hash(token)
    if user is None or not within_limit or open_tokens >= MAX_OPEN_TOKENS:
        return
    db.session.add(
        PasswordResetToken(token_hash=hashed, user_id=user.id, created_at=now, expires_at=now + TOKEN_TTL)
    )
    notify(
        "password_reset",
        to=user.email,
        recipient=user.id,
        context={
            "name": user.name,
            "token": token,
            "minutes": int(TOKEN_TTL.total_seconds() // 60),
            "reset_url": portal_link("/reset-password", token),
        },
    )


def confirm_reset(token: str, new_password: str) -> User:
    now = utcnow()
    row = db.session.get(PasswordResetToken, token_hash(token)) if token else None
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise InvalidInput(
            "token",
            "Not valid: unknown, already used or expired.",
            detail="This reset link is not valid any more; ask for a new one.",
        )
    user = db.session.get(User, row.user_id)
    problems = passwords.policy_errors(new_password, user.email)
    if problems:
        raise InvalidInput(
            "new_password", detail="Choose a stronger password.", errors={"new_password": problems}
        )
    user.password_hash = passwords.hash_password(new_password)
    user.token_version += 1
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    notify("password_changed", to=user.email, recipient=user.id, context={"name": user.name})
    return user
