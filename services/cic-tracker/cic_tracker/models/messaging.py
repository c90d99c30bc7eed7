from imatter_shared.messaging.models import InboxMixin, OutboxMixin

from ..extensions import db


class OutboxMessage(OutboxMixin, db.Model):
    __tablename__ = "outbox_messages"


class InboxMessage(InboxMixin, db.Model):
    __tablename__ = "inbox_messages"
