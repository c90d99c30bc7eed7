"""Training's notification outbox and each person's notification preferences."""

from imatter_shared.notifications.models import NotificationMixin, NotificationPreferenceMixin

from ..extensions import db


class Notification(NotificationMixin, db.Model):
    __tablename__ = "notifications"


class NotificationPreference(NotificationPreferenceMixin, db.Model):
    """Keyed by person id."""

    __tablename__ = "notification_preferences"
