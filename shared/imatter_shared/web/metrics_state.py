"""The gauges of `/metrics` that are read when Prometheus scrapes, not counted as things happen:
the service's own database (and broker) is the truth, whichever process did the work.

    imatter_outbox_pending{service}                        events written, not yet published
    imatter_outbox_oldest_pending_age_seconds{service}     0 when none is pending
    imatter_emails_pending{service}                        emails waiting for (another) SMTP attempt
    imatter_emails_oldest_pending_age_seconds{service}
    imatter_events_queue_ready{service, queue}             consumer lag: messages waiting in this
                                                           service's queue, not yet taken
    imatter_events_dead_letters{service, queue}            messages in `<queue>.dead`
    imatter_events_broker_up{service}                      1 when those two could be read
    imatter_database_up{service}                           1 when the database queries answered

The database queries are the ones `flask events status` and `flask notify status` run, on the
partial "pending" indexes of the outbox and the email outbox: a count and one row each. The
queue depths come from the broker (a passive declare, as `flask events status` does; the
embedded transport reads its SQLite file) and are kept for METRICS_BROKER_SECONDS (15 s), so a
scrape every few seconds opens at most one broker connection per interval and worker. A queue
that does not exist yet has no sample. The RabbitMQ Prometheus plugin (port 15692) gives the same
depths from the broker's side.
"""

from __future__ import annotations

import logging
import threading
import time

import sqlalchemy as sa
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily

from imatter_shared.messaging.cli import EXTENSION_KEY as EVENTS_KEY
from imatter_shared.messaging.relay import pending_summary
from imatter_shared.messaging.runtime import EventsConfig, EventsConfigError, make_transport
from imatter_shared.messaging.transports import TransportUnavailable
from imatter_shared.notifications.models import PENDING
from imatter_shared.notifications.wiring import EXTENSION_KEY as NOTIFY_KEY
from imatter_shared.timeutil import utcnow

log = logging.getLogger("imatter.metrics")


def _gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


class StateCollector:
    """A prometheus_client collector over one app's database and broker."""

    def __init__(self, app, db, service: str):
        self.app, self.db, self.service = app, db, service
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)
        self._lock = threading.Lock()
        self._broker: tuple[float, tuple | None] = (float("-inf"), None)

    def describe(self):
        return []  # computed at each scrape; nothing to check at registration

    def collect(self):
        s = [self.service]
        db_up = _gauge("imatter_database_up", "1 when the database answered this scrape.", ["service"])
        try:
            gauges = self._database_gauges()
            db_up.add_metric(s, 1)
        except sa.exc.SQLAlchemyError as exc:
            self.db.session.rollback()
            log.warning("metrics: database unavailable", extra={"ctx_error": type(exc).__name__})
            gauges = []
            db_up.add_metric(s, 0)
        yield db_up
        yield from gauges
        yield from self._broker_gauges()

    def _database_gauges(self) -> list[GaugeMetricFamily]:
        out = []
        events = self.app.extensions.get(EVENTS_KEY)
        if events is not None:
            count, age = pending_summary(self.db.session, events.OutboxModel)
            out += self._pending_pair(
                "imatter_outbox",
                "Outbox events not yet published.",
                "Age of the oldest unpublished outbox event (0 when none).",
                count,
                age,
            )
        notify = self.app.extensions.get(NOTIFY_KEY)
        if notify is not None:
            count, age = _emails_pending(self.db.session, notify.Notification)
            out += self._pending_pair(
                "imatter_emails",
                "Emails waiting for delivery.",
                "Age of the oldest email waiting for delivery (0 when none).",
                count,
                age,
            )
        return out

    def _pending_pair(self, prefix: str, what: str, oldest_what: str, count, age) -> list[GaugeMetricFamily]:
        """`<prefix>_pending` and `<prefix>_oldest_pending_age_seconds` for this service."""
        s = [self.service]
        pending = _gauge(f"{prefix}_pending", what, ["service"])
        pending.add_metric(s, count)
        oldest = _gauge(f"{prefix}_oldest_pending_age_seconds", oldest_what, ["service"])
        oldest.add_metric(s, max(age or 0.0, 0.0))
        return [pending, oldest]

    def _broker_gauges(self):
        if self.app.extensions.get(EVENTS_KEY) is None:
            return
        try:
            cfg = EventsConfig.from_mapping(self.app.config)
        except EventsConfigError:
            return
        if not cfg.queue:
            return
        counts = self._queue_counts(cfg)
        up = _gauge(
            "imatter_events_broker_up", "1 when the broker's queue depths could be read.", ["service"]
        )
        up.add_metric([self.service], 0 if counts is None else 1)
        yield up
        if counts is None:
            return
        labels = [self.service, cfg.queue]
        ready = _gauge(
            "imatter_events_queue_ready",
            "Consumer lag: messages waiting in this service's queue.",
            ["service", "queue"],
        )
        dead = _gauge(
            "imatter_events_dead_letters",
            "Messages in this service's dead-letter queue.",
            ["service", "queue"],
        )
        if counts.ready is not None:
            ready.add_metric(labels, counts.ready)
        if counts.dead is not None:
            dead.add_metric(labels, counts.dead)
        yield ready
        yield dead

    def _queue_counts(self, cfg: EventsConfig):
        ttl = float(self.app.config.get("METRICS_BROKER_SECONDS", 15))
        with self._lock:  # one broker round trip per interval, however many scrapes arrive
            at, counts = self._broker
            if time.monotonic() - at < ttl:
                return counts
            transport = make_transport(cfg)
            try:
                counts = transport.queue_counts(cfg.queue)
            except TransportUnavailable:
                counts = None
            except Exception as exc:  # noqa: BLE001 - e.g. a refused declare: unknown, the scrape still answers
                log.warning("metrics: queue depths unreadable", extra={"ctx_error": type(exc).__name__})
                counts = None
            finally:
                transport.close()
            self._broker = (time.monotonic(), counts)
            return counts


def _emails_pending(session, Notification) -> tuple[int, float | None]:
    """As the outbox's pending_summary: both read the partial index of pending rows."""
    M = Notification
    count = session.scalar(sa.select(sa.func.count()).select_from(M).where(M.state == PENDING)) or 0
    oldest = session.scalar(sa.select(M.created_at).where(M.state == PENDING).order_by(M.id).limit(1))
    return count, (utcnow() - oldest).total_seconds() if oldest is not None else None
