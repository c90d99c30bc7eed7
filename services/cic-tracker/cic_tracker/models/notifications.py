"""cic-tracker's notification outbox, preferences and contact addresses.

Keyed by gateway user id. A contact address is the professional's (or requester's) own
sign-in email: from `training.person.linked` or from their own token when they act here.
Case data never goes into an email: every cic-tracker email only says "something needs your
attention, sign in" (see cic_tracker/notifications.py).
"""

import sqlalchemy as sa

from imatter_shared.dataprotection.annotations import NOT_PII, pii
from imatter_shared.notifications.models import NotificationMixin, NotificationPreferenceMixin

from .base import db, utcnow


class Notification(NotificationMixin, db.Model):
    __tablename__ = "notifications"


class NotificationPreference(NotificationPreferenceMixin, db.Model):
    """Keyed by user id."""

    __tablename__ = "notification_preferences"


class NotificationContact(db.Model):
    __tablename__ = "notification_contacts"
    user_id = sa.Column(
        sa.String(100),
        primary_key=True,
        info=pii(
            "identifier",
            "sending service email",
            "legitimate_interests",
            "until erased on request",
            subject="user_id",
        ),
    )
    email = sa.Column(
        sa.String(254),
        nullable=False,
        info=pii(
            "contact details",
            "sending service email (sign-in prompts only)",
            "legitimate_interests",
            "until erased on request",
            subject="email",
        ),
    )
    source = sa.Column(sa.String(20), nullable=False, info=NOT_PII)  # training_event | token
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
