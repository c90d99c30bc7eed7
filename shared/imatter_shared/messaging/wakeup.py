"""Wake the relay when an outbox row commits, instead of waiting for its next poll.

* PostgreSQL: after a session that inserted an outbox row commits (never on rollback), the
  process's `Notifier` (one daemon thread per database) runs `pg_notify(<channel>, '')` on a
  connection of its own, in its own autocommit transaction; requests that arrive while it is
  sending fold into its next one. The relay LISTENs on a psycopg connection of its own
  (`Listener`, a daemon thread) and wakes at once. The NOTIFY is deliberately NOT part of the
  writer's transaction (decision 0065): PostgreSQL takes a database-wide lock to queue
  notifications at commit, so every writer's commit (WAL flush included) was serialised behind
  the others': 8 concurrent inserting connections committed ~1,400/s with the NOTIFY inside,
  ~4,600/s without (bench/notify_probe.py).
* Any database: after a session that inserted an outbox row commits, a process-local signal
  wakes the relays of this process (SQLite with the embedded transport when the writer and the
  relay share a process, and the tests).
* The relay still polls every EVENTS_RELAY_POLL_SECONDS: a notification lost while the listener
  reconnects, or a commit in another process on SQLite, waits at most one poll interval.

The channel is named after the outbox table (`imatter_outbox_<table>`); notifications are per
database, and each service has its own database, so each service's relays hear only their own
service's commits.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from imatter_shared.messaging.log import describe_exception, log
from imatter_shared.messaging.transports import Backoff

_INFO_KEY = "imatter_outbox_channels"  # Session.info: channels to signal after this commit
_lock = threading.Lock()
_watched: set[Any] = set()
_subscribers: dict[str, set[threading.Event]] = {}


def channel_for(OutboxModel: Any) -> str:
    """The notification channel of an outbox table: a plain lower-case identifier."""
    table = OutboxModel.__table__
    name = f"{table.schema}_{table.name}" if table.schema else table.name
    return "imatter_outbox_" + re.sub(r"[^a-z0-9_]", "_", name.lower())[:40]


def watch(OutboxModel: Any) -> None:
    """Make every insert of an OutboxModel row wake the relays on commit (idempotent)."""
    if OutboxModel in _watched:
        return
    with _lock:
        if OutboxModel in _watched:
            return
        channel = channel_for(OutboxModel)

        def after_insert(mapper: Any, connection: Any, target: Any) -> None:
            session = object_session(target)
            if session is not None:
                pg_url = connection.engine.url if connection.dialect.name == "postgresql" else None
                session.info.setdefault(_INFO_KEY, set()).add((channel, pg_url))

        event.listen(OutboxModel, "after_insert", after_insert)
        _watched.add(OutboxModel)


@event.listens_for(Session, "after_commit")
def _signal_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # SQLAlchemy reports a RELEASE SAVEPOINT here too
        return
    for channel, pg_url in session.info.pop(_INFO_KEY, ()):
        signal(channel)
        if pg_url is not None:
            Notifier.of(pg_url).request(channel)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing was committed
        session.info.pop(_INFO_KEY, None)


# -- the process-local signal ---------------------------------------------------------------------


def subscribe(channel: str) -> threading.Event:
    """An Event set on every commit of an outbox row on `channel` in this process."""
    wake = threading.Event()
    with _lock:
        _subscribers.setdefault(channel, set()).add(wake)
    return wake


def unsubscribe(channel: str, wake: threading.Event) -> None:
    with _lock:
        _subscribers.get(channel, set()).discard(wake)


def signal(channel: str) -> None:
    with _lock:
        waiting = list(_subscribers.get(channel, ()))
    for wake in waiting:
        wake.set()


# -- PostgreSQL NOTIFY, after the commit ----------------------------------------------------------


class Notifier(threading.Thread):
    """Sends `pg_notify` for committed outbox rows on its own autocommit connection, one thread per
    database and process (re-created in a forked child: threads do not survive a fork). Requests
    made while it sends are folded into its next round, so a burst of commits costs a few NOTIFYs.
    A failed send drops the connection and is not retried: the relay's poll covers it. At exit a
    process waits (up to 2 s) for its notifications to go: a CLI command that commits an outbox row
    and ends at once still wakes the relay."""

    _instances: dict[tuple[int, sa.engine.URL], Notifier] = {}
    _atexit_pid: int | None = None

    def __init__(self, conninfo: str):
        super().__init__(name="imatter-outbox-notify", daemon=True)
        self.conninfo = conninfo
        self._pending: set[str] = set()
        self._wake = threading.Condition(threading.Lock())
        self._conn: Any = None
        self._sending = False

    @classmethod
    def of(cls, url: sa.engine.URL) -> Notifier:
        key = (os.getpid(), url)  # a URL is immutable and hashable: no rendering on each commit
        found = cls._instances.get(key)
        if found is None:
            with _lock:
                found = cls._instances.get(key)
                if found is None:
                    found = cls._instances[key] = cls(libpq_url(url))
                    found.start()
                    if cls._atexit_pid != os.getpid():
                        cls._atexit_pid = os.getpid()
                        atexit.register(cls.flush_all)
        return found

    @classmethod
    def flush_all(cls, timeout: float = 2.0) -> None:
        """Wait until this process's notifiers have sent what was asked of them (bounded)."""
        for (pid, _url), notifier in list(cls._instances.items()):
            if pid == os.getpid():
                notifier.flush(timeout)

    def flush(self, timeout: float) -> bool:
        with self._wake:
            return self._wake.wait_for(lambda: not self._pending and not self._sending, timeout)

    def request(self, channel: str) -> None:
        with self._wake:
            self._pending.add(channel)
            self._wake.notify_all()

    def run(self) -> None:
        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
                channels, self._pending, self._sending = self._pending, set(), True
            try:
                self._send(channels)
            finally:
                with self._wake:
                    self._sending = False
                    self._wake.notify_all()

    def _send(self, channels: set[str]) -> None:
        # psycopg is the services' PostgreSQL driver; only a process writing to PostgreSQL imports it
        import psycopg

        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
            for channel in sorted(channels):
                self._conn.execute("SELECT pg_notify(%s, '')", (channel,))
        except Exception as exc:  # database gone: the relay's poll picks the rows up
            log(logging.WARNING, "outbox commit not notified; the relay polls", error=describe_exception(exc))
            try:
                if self._conn is not None:
                    self._conn.close()
            except Exception:  # pragma: no cover - closing a broken connection
                pass
            self._conn = None


# -- PostgreSQL LISTEN ----------------------------------------------------------------------------


def libpq_url(url: sa.engine.URL) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) as a libpq connection string."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener(threading.Thread):
    """LISTENs on `channel` on its own connection and sets `wake` on each notification, until
    `stop` is set. Reconnects with a capped backoff and wakes once after each (re)connect, since
    a commit while it was not listening was missed; the relay's poll covers the gap meanwhile."""

    def __init__(
        self, conninfo: str, channel: str, wake: threading.Event, stop: threading.Event, reconnect_max: float
    ):
        super().__init__(name=f"imatter-relay-listen-{channel}", daemon=True)
        self.conninfo, self.channel, self.wake, self.stop = conninfo, channel, wake, stop
        self.backoff = Backoff(0.25, reconnect_max)
        self.listening = threading.Event()  # set while LISTEN is in effect

    def run(self) -> None:
        # psycopg is the services' PostgreSQL driver; only a relay on PostgreSQL imports it
        import psycopg

        while not self.stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'LISTEN "{self.channel}"')
                    self.listening.set()
                    self.backoff.reset()
                    self.wake.set()
                    while not self.stop.is_set():
                        for _notify in conn.notifies(timeout=0.5, stop_after=1):
                            self.wake.set()
            except Exception as exc:  # database gone or refused: poll meanwhile, reconnect later
                self.listening.clear()
                delay = self.backoff.next()
                log(
                    logging.WARNING,
                    "relay cannot listen for outbox commits; polling meanwhile",
                    channel=self.channel,
                    error=describe_exception(exc),
                    retry_in_s=round(delay, 2),
                )
                self.stop.wait(delay)
        self.listening.clear()
