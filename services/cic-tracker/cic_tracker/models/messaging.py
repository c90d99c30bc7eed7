from imatter_shared.messaging.models import InboxMixin, OutboxMixin
from imatter_shared.scheduler_runs import SchedulerRunMixin

from ..extensions import db


class OutboxMessage(OutboxMixin, db.Model):
    __tablename__ = "outbox_messages"


class InboxMessage(InboxMixin, db.Model):
    __tablename__ = "inbox_messages"


class SchedulerRun(SchedulerRunMixin, db.Model):
    """When each `flask schedule run` job last ran (imatter_shared.scheduler_runs)."""

    __tablename__ = "scheduler_runs"
