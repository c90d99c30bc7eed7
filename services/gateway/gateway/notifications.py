"""The gateway's email: only essential, security email (password reset, password
changed), so no preferences apply. Templates: gateway/notification_templates/."""

from __future__ import annotations

import os

from imatter_shared.notifications import Kind, kinds_table, register_notifications
from imatter_shared.notifications.models import NotificationMixin

from .extensions import db

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notification_templates")

KINDS = kinds_table(
    Kind("password_reset", "Reset your password", essential=True),
    Kind("password_changed", "Your password was changed", essential=True),
    Kind("email_verification", "Confirm your email address", essential=True),
    # sign-up with an address that already has an account: the owner is told, the caller is not
    Kind("account_exists", "Someone tried to sign up with your address", essential=True),
)
# the reset link is a secret until used: blank the bodies once the mail server has them
REDACT_AFTER_SEND = ("password_reset", "email_verification")


class Notification(NotificationMixin, db.Model):
    __tablename__ = "notifications"


def register(app) -> None:
    register_notifications(
        app,
        db,
        Notification,
        None,
        KINDS,
        TEMPLATES,
        sender_name="I Matter",
        preferences_path="/account/notifications",
        redact_after_send=REDACT_AFTER_SEND,
    )
