"""The relay: publishes outbox rows to the transport, and retries.

Each round takes up to `batch_size` due pending rows in id order and publishes them together
(the AMQP transport writes them all, then waits once for the broker's confirms); a row becomes
`published` only after the broker confirmed it. A message the broker
refuses (nacked, or unroutable because no queue is bound yet) stays pending with an
exponential `next_attempt_at`. When the broker itself is gone the round stops, what was
confirmed is committed, and `run_forever` reconnects with a capped backoff.

Several relays may run against one PostgreSQL database: rows are taken with
SELECT ... FOR UPDATE SKIP LOCKED, so each row is published by one relay at a time.
(SQLite has no row locks: run one relay per SQLite database.)

A crash between the broker's confirm and our commit republishes the row later: delivery
is at least once, and consumers de-duplicate by event_id.

When the outbox is drained the relay waits for a commit of a new row (messaging/wakeup.py:
PostgreSQL LISTEN/NOTIFY, and a process-local signal) and runs the next round at once; the
poll interval is only the longest it waits when no wake-up comes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from imatter_shared import heartbeat
from imatter_shared.messaging import wakeup
from imatter_shared.messaging.log import describe_exception, log
from imatter_shared.messaging.models import PENDING, PUBLISHED
from imatter_shared.messaging.transports import (
    Backoff,
    Published,
    Transport,
    TransportUnavailable,
    delay_for,
)
from imatter_shared.timeutil import utcnow

SessionScope = Callable[[], AbstractContextManager]


@dataclass(frozen=True)
class RelayRound:
    published: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.published + self.failed


class Relay:
    def __init__(
        self,
        session_scope: SessionScope,
        OutboxModel: Any,
        transport: Transport,
        *,
        batch_size: int = 100,
        retry_base: float = 1.0,
        retry_max: float = 60.0,
        reconnect_max: float = 5.0,
        poll_interval: float = 0.5,
    ):
        self.session_scope = session_scope
        self.OutboxModel = OutboxModel
        self.transport = transport
        self.batch_size = batch_size
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.reconnect_max = reconnect_max
        self.poll_interval = poll_interval
        self.channel = wakeup.channel_for(OutboxModel)
        self.listener: wakeup.Listener | None = None

    def run_once(self) -> RelayRound:
        """Publish one batch. Raises TransportUnavailable if the broker is gone (after
        committing what was confirmed before that)."""
        M = self.OutboxModel
        published = failed = 0
        with self.session_scope() as session:
            now = utcnow()
            rows = session.scalars(
                sa.select(M)
                .where(M.state == PENDING, M.next_attempt_at <= now)
                .order_by(M.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            try:
                # all rows written, then one wait for the broker's confirms (amqp_confirms.py);
                # nothing due: no connection to the broker either
                sent = (
                    self.transport.publish_many(
                        [(row.type, row.payload.encode("utf-8"), row.event_id) for row in rows]
                    )
                    if rows
                    else Published({})
                )
                now = utcnow()
                for index, row in enumerate(rows):
                    if index not in sent.results:  # not answered before the broker was lost
                        continue
                    error = sent.results[index]
                    row.times_sent += 1
                    if error is None:
                        row.state = PUBLISHED
                        row.published_at = now
                        row.last_error = None
                        published += 1
                        log(logging.DEBUG, "event published", type=row.type, event_id=row.event_id)
                        continue
                    row.last_error = str(error)[:500]
                    delay = delay_for(row.times_sent, self.retry_base, self.retry_max)
                    row.next_attempt_at = now + timedelta(seconds=delay)
                    failed += 1
                    log(
                        logging.WARNING,
                        "publish refused; will retry",
                        type=row.type,
                        event_id=row.event_id,
                        times_sent=row.times_sent,
                        reason=row.last_error,
                        retry_in_s=round(delay, 3),
                    )
                if sent.lost is not None:
                    raise sent.lost
            finally:
                session.commit()
        if published or failed:
            log(logging.INFO, "relay round", published=published, failed=failed)
        return RelayRound(published, failed)

    def run_forever(self, stop: threading.Event) -> None:
        """Relay until `stop` is set; never gives up on a broker or database outage."""
        backoff = Backoff(0.25, self.reconnect_max)
        wake = wakeup.subscribe(self.channel)
        done = threading.Event()  # stops the listener when this loop ends, however it ends
        self.listener = self._listen(wake, done)
        log(
            logging.INFO,
            "relay started",
            transport=self.transport.describe(),
            batch_size=self.batch_size,
            wakes_on="notify" if self.listener else "local commits",
        )
        try:
            while not stop.is_set():
                heartbeat.beat("relay")  # a round that never returns goes stale (liveness probe)
                wake.clear()  # a commit from now on wakes the idle wait below
                try:
                    result = self.run_once()
                    backoff.reset()
                except TransportUnavailable as exc:
                    self._pause(stop, backoff, "broker unavailable", error=str(exc)[:300])
                    continue
                except Exception as exc:  # database down, or a bug: log it, keep the relay alive
                    self._pause(stop, backoff, "relay round failed", error=describe_exception(exc))
                    continue
                if result.attempted < self.batch_size:
                    self._idle(stop, wake)
        finally:
            wakeup.unsubscribe(self.channel, wake)
            done.set()
            if self.listener is not None:
                self.listener.join(timeout=5)
            self.transport.close()
            log(logging.INFO, "relay stopped")

    def _listen(self, wake: threading.Event, stop: threading.Event) -> wakeup.Listener | None:
        """Start LISTENing for outbox commits when the outbox is in PostgreSQL."""
        try:
            with self.session_scope() as session:
                engine = session.get_bind()
        except Exception as exc:  # no database yet: the poll still works
            log(
                logging.WARNING, "relay cannot tell its database; polling only", error=describe_exception(exc)
            )
            return None
        if engine.dialect.name != "postgresql":
            return None
        listener = wakeup.Listener(wakeup.libpq_url(engine.url), self.channel, wake, stop, self.reconnect_max)
        listener.start()
        return listener

    def _pause(self, stop: threading.Event, backoff: Backoff, message: str, **fields: Any) -> None:
        self.transport.close()
        delay = backoff.next()
        log(logging.WARNING, message, retry_in_s=round(delay, 2), **fields)
        stop.wait(delay)

    def _idle(self, stop: threading.Event, wake: threading.Event) -> None:
        """Wait for a wake-up, at most the poll interval, keeping the broker connection alive."""
        deadline = time.monotonic() + self.poll_interval
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or wake.wait(min(left, 0.25)):
                return
            self.transport.idle(0)
            heartbeat.beat("relay")


def pending_summary(session: Any, OutboxModel: Any) -> tuple[int, float | None]:
    """(number of pending rows, age in seconds of the oldest one or None)."""
    M = OutboxModel
    count = session.scalar(sa.select(sa.func.count()).select_from(M).where(M.state == PENDING)) or 0
    oldest = session.scalar(sa.select(M.created_at).where(M.state == PENDING).order_by(M.id).limit(1))
    age = (utcnow() - oldest).total_seconds() if oldest is not None else None
    return count, age
