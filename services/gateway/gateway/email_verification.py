"""Email verification: the account owns its address only once they follow the emailed link.

Tokens are single use, valid 48 hours and stored only as a SHA-256 hash (like password reset).
A verified address is what training links a person record to (docs/decisions/0014): until then
the account is never linked to a person and may not create organisations or people.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from imatter_shared.dataprotection.annotations import NOT_PII, pii
from imatter_shared.notifications import notify
from imatter_shared.timeutil import naive_utcnow as utcnow  # the DateTime columns hold naive UTC
from imatter_shared.web.errors import InvalidInput

from .emailed_tokens import new_token, portal_link, token_hash
from .extensions import db
from .models import User

TOKEN_TTL = timedelta(hours=48)


class EmailVerificationToken(db.Model):
    __tablename__ = "email_verification_tokens"
    token_hash = sa.Column(
        sa.String(64), primary_key=True, info=NOT_PII
    )  # sha256 hex; the token is never stored
    user_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
        info=pii(
            "identifier", "email verification", "contract", "1 days after expires_at", subject="user_id"
        ),
    )
    email = sa.Column(
        sa.String(254),
        nullable=False,
        info=pii(
            "contact details",
            "email verification: the address the link proves",
            "contract",
            "1 days after expires_at",
        ),
    )
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    expires_at = sa.Column(sa.DateTime, nullable=False)
    used_at = sa.Column(sa.DateTime, nullable=True)


def send(user: User) -> None:
    """Write a fresh token and its email in the caller's transaction (nothing for a verified user)."""
    if user.email_verified:
        return
    now = utcnow()
    token = new_token()
    db.session.add(
        EmailVerificationToken(
            token_hash=token_hash(token),
            user_id=user.id,
            email=user.email,
            created_at=now,
            expires_at=now + TOKEN_TTL,
        )
    )
    notify(
        "email_verification",
        to=user.email,
        recipient=user.id,
        context={
            "name": user.name,
            "token": token,
            "hours": int(TOKEN_TTL.total_seconds() // 3600),
            "verify_url": portal_link("/verify-email", token),
        },
    )


def verify(token: str) -> User:
    """Mark the token's account verified; every other open token of that account is used up."""
    now = utcnow()
    row = db.session.get(EmailVerificationToken, token_hash(token)) if token else None
    user = db.session.get(User, row.user_id) if row is not None else None
    if (
        row is None
        or user is None
        or row.used_at is not None
        or row.expires_at <= now
        or row.email != user.email
    ):
        raise InvalidInput(
            "token",
            "Not valid: unknown, already used or expired.",
            detail="This verification link is not valid any more; ask for a new one.",
        )
    user.email_verified = True
    user.email_verified_at = now
    db.session.execute(
        sa.update(EmailVerificationToken)
        .where(EmailVerificationToken.user_id == user.id, EmailVerificationToken.used_at.is_(None))
        .values(used_at=now)
    )
    return user
