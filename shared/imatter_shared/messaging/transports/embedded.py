"""The embedded transport: a SQLite file acting as the broker for the services of one
machine, used when AMQP_URL is unset (EVENTS_EMBEDDED_PATH, default var/events.db).

It mirrors the RabbitMQ topology closely enough that services cannot tell the difference:
a queue is bound to event types; publish fans a message out to every bound queue (and is
refused, like a mandatory publish, when none is bound); a consumer claims messages with a
visibility lease, ack deletes, a failure puts the message back after a delay, and past the
delivery limit (or at once, for a poison message) it goes to the `dead` state, from where
`replay_dead_letters` makes it ready again. A consumer that dies mid-message loses its
lease and the message is delivered again: at least once, like RabbitMQ.

WAL mode lets several processes read while one writes; the busy timeout makes writers wait
their turn instead of failing.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from imatter_shared import heartbeat
from imatter_shared.config import private_dirs, private_file
from imatter_shared.messaging.log import describe_exception, log
from imatter_shared.messaging.transports import (
    Backoff,
    BatchProcessor,
    Outcome,
    Processor,
    PublishFailed,
    QueueCounts,
    Transport,
    TransportUnavailable,
    batches_of,
)

READY = "ready"
DEAD = "dead"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bindings (
    exchange    TEXT NOT NULL,
    routing_key TEXT NOT NULL,
    queue       TEXT NOT NULL,
    PRIMARY KEY (exchange, routing_key, queue)
);
CREATE TABLE IF NOT EXISTS messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    queue        TEXT    NOT NULL,
    message_id   TEXT,
    routing_key  TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'ready',  -- ready | dead
    deliveries   INTEGER NOT NULL DEFAULT 0,
    available_at REAL    NOT NULL,  -- not before: the backoff delay, or the lease of a claim
    lease_owner  TEXT,
    created_at   REAL    NOT NULL,
    last_error   TEXT
);
CREATE INDEX IF NOT EXISTS ix_messages_queue ON messages (queue, state, id);
"""


class EmbeddedTransport(Transport):
    name = "embedded"

    def __init__(
        self,
        path: str,
        exchange: str = "imatter.events",
        *,
        max_deliveries: int = 10,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.2,
        busy_timeout: float = 30.0,
    ):
        self.path = os.path.abspath(path)
        self.exchange = exchange
        self.max_deliveries = max_deliveries
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.busy_timeout = busy_timeout
        self._local = threading.local()

    # -- the file ------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            private_dirs(os.path.dirname(self.path) or ".")
            private_file(self.path)  # 0600: the event store holds personal data in transit (L12)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")  # this file is the broker: a confirm means on disk
            with _write(db):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            db = self._db()
            with _write(db):
                yield db
        except sqlite3.Error as exc:
            self.close()
            raise TransportUnavailable(f"embedded broker {self.path}: {exc}") from exc

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            db.close()

    # -- publishing ----------------------------------------------------------------------

    def publish(self, routing_key: str, body: bytes, *, message_id: str) -> None:
        now = time.time()
        with self._tx() as db:
            queues = [
                row[0]
                for row in db.execute(
                    "SELECT queue FROM bindings WHERE exchange = ? AND routing_key = ?",
                    (self.exchange, routing_key),
                )
            ]
            if queues:
                db.executemany(
                    "INSERT INTO messages (queue, message_id, routing_key, body, available_at, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(q, message_id, routing_key, bytes(body), now, now) for q in queues],
                )
        if not queues:
            raise PublishFailed(f"unroutable: no queue is bound to {routing_key}")

    def publish_to_queue(
        self, queue: str, body: bytes, *, message_id: str | None = None, routing_key: str = ""
    ) -> None:
        """Put a message straight into one queue (the default-exchange equivalent)."""
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO messages (queue, message_id, routing_key, body, available_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (queue, message_id, routing_key, bytes(body), now, now),
            )

    # -- topology ------------------------------------------------------------------------

    def declare_queue(self, queue: str, types: Iterable[str]) -> None:
        wanted = set(types)
        with self._tx() as db:
            have = {
                row[0]
                for row in db.execute(
                    "SELECT routing_key FROM bindings WHERE exchange = ? AND queue = ?",
                    (self.exchange, queue),
                )
            }
            db.executemany(
                "DELETE FROM bindings WHERE exchange = ? AND queue = ? AND routing_key = ?",
                [(self.exchange, queue, t) for t in have - wanted],
            )
            db.executemany(
                "INSERT INTO bindings (exchange, routing_key, queue) VALUES (?, ?, ?)",
                [(self.exchange, t, queue) for t in sorted(wanted - have)],
            )

    # -- consuming -----------------------------------------------------------------------

    def claim(self, queue: str, owner: str, limit: int) -> list[tuple[int, bytes, int]]:
        """Lease up to `limit` due messages: [(id, body, attempt)]. A message whose lease ran
        out `max_deliveries` times (its consumer kept dying) is dead-lettered instead."""
        now = time.time()
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, body, deliveries FROM messages WHERE queue = ? AND state = ? AND available_at <= ?"
                " ORDER BY id LIMIT ?",
                (queue, READY, now, limit),
            ).fetchall()
            claimed = []
            for message_id, body, deliveries in rows:
                if deliveries >= self.max_deliveries:
                    db.execute(
                        "UPDATE messages SET state = ?, lease_owner = NULL, last_error = ? WHERE id = ?",
                        (DEAD, "delivery limit reached", message_id),
                    )
                    continue
                db.execute(
                    "UPDATE messages SET deliveries = deliveries + 1, available_at = ?, lease_owner = ?"
                    " WHERE id = ?",
                    (now + self.lease_seconds, owner, message_id),
                )
                claimed.append((message_id, bytes(body), deliveries + 1))
            return claimed

    def settle(self, message_id: int, owner: str, outcome: Outcome) -> None:
        with self._tx() as db:
            _settle(db, message_id, owner, outcome)

    def settle_all(self, settled: list[tuple[int, Outcome]], owner: str) -> None:
        """Settle a batch's messages in one transaction of the broker file."""
        with self._tx() as db:
            for message_id, outcome in settled:
                _settle(db, message_id, owner, outcome)

    def release(self, message_ids: list[int], owner: str) -> None:
        """Give back claimed messages that were never handed to the consumer."""
        with self._tx() as db:
            db.executemany(
                "UPDATE messages SET deliveries = deliveries - 1, available_at = ?, lease_owner = NULL"
                " WHERE id = ? AND lease_owner = ?",
                [(time.time(), i, owner) for i in message_ids],
            )

    def consume(
        self,
        queue: str,
        types: Iterable[str],
        process: Processor,
        stop: threading.Event,
        *,
        prefetch: int,
        process_batch: BatchProcessor | None = None,
        batch_size: int = 1,
    ) -> None:
        process_batch = batches_of(process, process_batch)
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        backoff = Backoff(0.25, 5.0)
        declared = False
        log(
            logging.INFO,
            "consumer started",
            queue=queue,
            types=sorted(set(types)),
            transport=self.name,
            path=self.path,
            prefetch=prefetch,
            batch_size=batch_size,
        )
        try:
            while not stop.is_set():
                heartbeat.beat("consumer")  # a batch that never returns goes stale (liveness probe)
                try:
                    if not declared:
                        self.declare_queue(queue, types)
                        declared = True
                    claimed = self.claim(queue, owner, max(prefetch, batch_size))
                    backoff.reset()
                except TransportUnavailable as exc:
                    delay = backoff.next()
                    log(
                        logging.WARNING,
                        "embedded broker unavailable",
                        queue=queue,
                        error=str(exc),
                        retry_in_s=round(delay, 2),
                    )
                    stop.wait(delay)
                    continue
                if not claimed:
                    stop.wait(self.poll_seconds)
                    continue
                self._handle_claimed(claimed, owner, process_batch, stop, max(1, batch_size))
        finally:
            self.close()

    def _handle_claimed(
        self,
        claimed: list[tuple[int, bytes, int]],
        owner: str,
        process_batch: BatchProcessor,
        stop: threading.Event,
        batch_size: int,
    ) -> None:
        for start in range(0, len(claimed), batch_size):
            if stop.is_set():
                self.release([m[0] for m in claimed[start:]], owner)
                return
            chunk = claimed[start : start + batch_size]
            try:
                outcomes = process_batch([(body, attempt) for _, body, attempt in chunk])
            except Exception as exc:  # process_batch() should not raise; never let it kill the loop
                log(logging.ERROR, "consumer error; the batch will be retried", error=describe_exception(exc))
                outcomes = [Outcome.retry(1.0, f"consumer error: {type(exc).__name__}")] * len(chunk)
            try:
                self.settle_all([(m[0], o) for m, o in zip(chunk, outcomes, strict=True)], owner)
            except TransportUnavailable:
                pass  # the leases run out and the messages come back; the inbox dedups them

    # -- dead letters and status -------------------------------------------------------------

    def replay_dead_letters(self, queue: str) -> int:
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE messages SET state = ?, deliveries = 0, available_at = ?, lease_owner = NULL"
                " WHERE queue = ? AND state = ?",
                (READY, time.time(), queue, DEAD),
            )
            return cursor.rowcount

    def queue_counts(self, queue: str) -> QueueCounts:
        with self._tx() as db:
            counts = dict(
                db.execute(
                    "SELECT state, count(*) FROM messages WHERE queue = ? GROUP BY state", (queue,)
                ).fetchall()
            )
        return QueueCounts(ready=counts.get(READY, 0), dead=counts.get(DEAD, 0))

    def dead_letters(self, queue: str) -> list[tuple[str | None, str | None]]:
        """(message_id, last_error) of each dead message, oldest first."""
        with self._tx() as db:
            return db.execute(
                "SELECT message_id, last_error FROM messages WHERE queue = ? AND state = ? ORDER BY id",
                (queue, DEAD),
            ).fetchall()

    def describe(self) -> str:
        return f"embedded sqlite {self.path} exchange={self.exchange}"


@contextmanager
def _write(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock on an
    upgrade from read to write; the busy timeout makes the second one wait."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")


def _settle(db: sqlite3.Connection, message_id: int, owner: str, outcome: Outcome) -> None:
    if outcome.action == "ack":
        db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
    elif outcome.action == "dead":
        db.execute(
            "UPDATE messages SET state = ?, lease_owner = NULL, last_error = ? WHERE id = ? AND lease_owner = ?",
            (DEAD, outcome.reason[:500], message_id, owner),
        )
    else:
        db.execute(
            "UPDATE messages SET available_at = ?, lease_owner = NULL, last_error = ?"
            " WHERE id = ? AND lease_owner = ?",
            (time.time() + outcome.delay, outcome.reason[:500], message_id, owner),
        )
