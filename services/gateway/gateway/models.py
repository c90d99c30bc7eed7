"""Accounts: the gateway is the only place passwords live (argon2id hashes)."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa

from imatter_shared.dataprotection import pii
from imatter_shared.scheduler_runs import SchedulerRunMixin
from imatter_shared.timeutil import naive_utcnow as utcnow  # the DateTime columns hold naive UTC

from .extensions import db

# data-protection annotations (flask dp register): what each personal column is for
_ACCOUNT = "user accounts: sign-in and access control for the portal and the API"
_KEPT = "while the account is open; erased on request (flask dp erase)"


class User(db.Model):
    __tablename__ = "users"
    id = sa.Column(sa.String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    email = sa.Column(
        sa.String(254),
        nullable=False,
        unique=True,
        info=pii("contact details (sign-in name)", _ACCOUNT, "contract", _KEPT),
    )
    name = sa.Column(sa.String(200), nullable=False, info=pii("name", _ACCOUNT, "contract", _KEPT))
    password_hash = sa.Column(
        sa.String(255),
        nullable=False,
        info=pii("credential (argon2id hash)", _ACCOUNT, "contract", _KEPT, export=False),
    )
    roles_json = sa.Column(
        sa.Text, nullable=False, default='["learner"]', info=pii("account roles", _ACCOUNT, "contract", _KEPT)
    )
    # set when the owner follows the emailed verification link (POST /api/v1/auth/verify-email)
    email_verified = sa.Column(
        sa.Boolean,
        nullable=False,
        default=False,
        server_default=sa.false(),
        info=pii("account state (email address proven)", _ACCOUNT, "contract", _KEPT),
    )
    email_verified_at = sa.Column(
        sa.DateTime,
        nullable=True,
        info=pii("account state (when the address was proven)", _ACCOUNT, "contract", _KEPT),
    )
    # bumped on password change: every token issued before it stops working
    token_version = sa.Column(sa.Integer, nullable=False, default=1)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @property
    def roles(self) -> list[str]:
        return json.loads(self.roles_json)

    @roles.setter
    def roles(self, value) -> None:
        self.roles_json = json.dumps(sorted(set(value)))


class RevokedToken(db.Model):
    """Tokens ended by logout before their expiry (kept until they would have expired)."""

    __tablename__ = "revoked_tokens"
    jti = sa.Column(sa.String(64), primary_key=True)
    expires_at = sa.Column(sa.DateTime, nullable=False, index=True)


class SchedulerRun(SchedulerRunMixin, db.Model):
    """When each `flask schedule run` job last ran (imatter_shared.scheduler_runs)."""

    __tablename__ = "scheduler_runs"
