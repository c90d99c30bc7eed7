"""One writer at a time on a SQLite file, queued instead of polling (decision 0070).

SQLite lets one connection write at a time. A second writer that finds the write lock taken waits
in SQLite's busy handler, which sleeps 1, 2, 5, 10 ... 100 ms between tries and is not woken when
the lock is freed: under 8 writers (2 gunicorn workers x 4 threads) a write could lose round after
round and wait hundreds of milliseconds for a lock held a few at a time (docs/performance.md,
issue 18 P4). Here a writer queues before SQLite's lock instead, and is woken when it is freed:

* a per-process `threading.Lock` for the threads of one process, then
* `flock` on `<database>.writers.lock` beside the file, for the processes (every gunicorn worker,
  `flask events`, `flask worker` of the service); a process that dies lets go of it.

`Connection` is a `sqlite3.Connection` (passed as `connect_args={"factory": Connection}`, see
`engine_options`) whose cursors take the slot before the statement that begins SQLite's write
transaction (INSERT, UPDATE, DELETE, REPLACE, BEGIN IMMEDIATE/EXCLUSIVE: pysqlite's own
implicit BEGIN comes right before the first four, every read before it runs outside any
transaction; and CREATE, DROP, ALTER, which write the schema) and give it back as soon as the connection is out of its transaction (commit,
rollback, close, or a statement that ended it). So it is held exactly while SQLite's write lock
is, by a holder that got it without waiting in the busy handler.

No new way to deadlock: a wait is bounded by `WAIT_SECONDS`, after which the writer goes on
to SQLite's own handler as it did before (and fails after busy_timeout as it did before: so a
writer stuck behind a transaction left open somewhere fails after WAIT_SECONDS + busy_timeout,
~10 s, where it failed after 5 s without the queue); a connection already in a transaction
without the slot (its queueing timed out, then SQLite let it in) never queues again; a
thread that already holds the slot through another connection does not queue behind itself;
and a connection holding a read snapshot never blocks a writer's commit in WAL mode. PostgreSQL
is not concerned: this is only wired for SQLite files.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

from .config import sqlite_file_of

WAIT_SECONDS = 5.0  # = the services' busy_timeout; then SQLite's own handler waits up to busy_timeout more
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_TAKING = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")


def begins_write(sql: str) -> bool:
    """Whether `sql` takes SQLite's write lock (pysqlite's implicit BEGIN precedes exactly these)."""
    head = sql.lstrip()[:24].upper()
    return head.startswith(_WRITES) or (head.startswith("BEGIN ") and " ".join(head.split()) in _TAKING)


_SEEN: dict[str, bool] = {}  # SQLAlchemy sends the same few hundred statement strings again and again


def _begins_write(sql: str) -> bool:
    known = _SEEN.get(sql)
    if known is None:
        known = begins_write(sql)
        if len(_SEEN) < 4096:  # statements with literals inlined could be endless: stop remembering
            _SEEN[sql] = known
    return known


class Slot:
    """The writer slot of one database file, as seen by this process."""

    def __init__(self, path: str):
        self.lock_path = path + ".writers.lock"
        self._threads = threading.Lock()
        self._owner: int | None = None  # the thread holding it
        self._fd: int | None = None  # the descriptor holding the flock
        self._count = threading.Lock()
        self.queued = 0  # writers of this process asking for it now
        self.waits = 0  # acquisitions that had to wait, and how long in all (tests, benchmark)
        self.wait_seconds = 0.0

    def acquire(self) -> bool:
        """Take the slot; False if it could not be had within WAIT_SECONDS (or this thread holds it)."""
        me = threading.get_ident()
        if self._owner == me:
            return False  # held through another connection of this thread: never queue behind itself
        started = time.monotonic()
        with self._count:
            self.queued += 1
        try:
            waited = not self._threads.acquire(blocking=False)
            if waited and not self._threads.acquire(timeout=WAIT_SECONDS):
                return False
            try:
                fd, blocked = _flock(self.lock_path, WAIT_SECONDS - (time.monotonic() - started))
            except BaseException:
                self._threads.release()
                raise
        finally:
            with self._count:
                self.queued -= 1
        if fd is None:
            self._threads.release()
            return False
        self._fd, self._owner = fd, me
        if waited or blocked:
            self.waits += 1
            self.wait_seconds += time.monotonic() - started
        return True

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd, self._owner = self._fd, None, None
        os.close(fd)  # lets go of the flock
        self._threads.release()

    def forget_after_fork(self) -> None:
        """In a forked child: the parent's holder and waiters are not here."""
        self._fd, self._owner, self.queued = None, None, 0
        self._threads, self._count = threading.Lock(), threading.Lock()


def _flock(path: str, timeout: float) -> tuple[int | None, bool]:
    """(a descriptor holding LOCK_EX on `path`, or None after `timeout`; whether it had to wait)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd, False
    except BlockingIOError:
        pass
    except BaseException:
        os.close(fd)
        raise
    return (fd if _Waiter(fd).wait(timeout) else None), True


class _Waiter(threading.Thread):
    """Blocks in flock (woken by the kernel when the holder lets go) so that the caller can give
    up after a timeout; a waiter given up on closes its descriptor as soon as it gets the lock."""

    def __init__(self, fd: int):
        super().__init__(name="sqlite-writer-wait", daemon=True)
        self.fd, self.done, self.got, self.abandoned = fd, threading.Event(), False, False
        self.guard = threading.Lock()

    def run(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            got = True
        except OSError:
            got = False
        with self.guard:
            self.got = got
            if self.abandoned or not got:
                os.close(self.fd)
            self.done.set()

    def wait(self, timeout: float) -> bool:
        self.start()
        self.done.wait(max(timeout, 0.0))
        with self.guard:
            self.abandoned = not self.done.is_set()
            return self.got and not self.abandoned


_slots: dict[str, Slot] = {}
_slots_lock = threading.Lock()


def slot_for(database: str) -> Slot | None:
    """This process' slot for a database file (None for memory databases and URIs)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = os.path.abspath(database)
    with _slots_lock:
        slot = _slots.get(path)
        if slot is None:
            slot = _slots[path] = Slot(path)
        return slot


def _after_fork_in_child() -> None:
    """A forked child holds copies of the parent's lock-file descriptors: while one stays open the
    parent's flock outlives its close, so the child closes every one of them."""
    global _slots_lock
    if not _slots:
        return
    _slots_lock = threading.Lock()
    for slot in _slots.values():
        slot.forget_after_fork()
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: the descriptors were opened O_CLOEXEC at least
        return
    for fd in fds:
        try:
            if os.readlink(f"/proc/self/fd/{fd}").endswith(".writers.lock"):
                os.close(fd)
        except OSError:
            pass


os.register_at_fork(after_in_child=_after_fork_in_child)


class Connection(sqlite3.Connection):
    """A pysqlite connection whose writes queue for the database's writer slot."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self.writer_slot = slot_for(os.fsdecode(database))
        self.holds_slot = False
        self.unqueued = False

    def cursor(self, factory=None):
        return super().cursor(factory or Cursor)

    def queue_for(self, sql: str) -> bool:
        """Take the slot before `sql` if it begins a write; whether the statement must be followed
        by `after()` (it may have begun or ended this connection's write transaction)."""
        if self.holds_slot or self.unqueued:
            # unqueued: this write transaction went on without the slot (its queueing timed out, or
            # this thread holds the slot through another connection), and SQLite's handler let it
            # in: it holds SQLite's write lock, so queueing again would wait on whoever holds the
            # slot, who waits on that lock. SQLite's own locking decides until it ends.
            return True
        if self.writer_slot is None or not _begins_write(sql):
            return False  # a read outside any write transaction: nothing to take or give back
        self.holds_slot = self.writer_slot.acquire()
        self.unqueued = not self.holds_slot
        return True

    def after(self) -> None:
        if self.in_transaction:
            return
        self.unqueued = False
        if self.holds_slot:
            self.holds_slot = False
            self.writer_slot.release()

    def commit(self):
        try:
            return super().commit()
        finally:
            self.after()

    def rollback(self):
        try:
            return super().rollback()
        finally:
            self.after()

    def close(self):
        try:
            return super().close()
        finally:
            if self.holds_slot:
                self.holds_slot = False
                self.writer_slot.release()

    def __del__(self):
        # dropped in its write transaction without a close: the slot must not outlive it
        if getattr(self, "holds_slot", False):
            try:
                super().close()  # SQLite rolls the transaction back and lets go of its lock
            except sqlite3.Error:
                pass
            self.holds_slot = False
            self.writer_slot.release()


class Cursor(sqlite3.Cursor):
    def execute(self, sql, parameters=()):
        conn = self.connection
        if not conn.queue_for(sql):
            return super().execute(sql, parameters)
        try:
            return super().execute(sql, parameters)
        finally:
            conn.after()

    def executemany(self, sql, seq_of_parameters):
        conn = self.connection
        if not conn.queue_for(sql):
            return super().executemany(sql, seq_of_parameters)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            conn.after()

    def executescript(self, sql_script):
        try:
            return super().executescript(sql_script)  # commits first, then runs outside a transaction
        finally:
            self.connection.after()


def engine_options(url: str, options: dict | None = None) -> dict:
    """`options` with the queued connection for a SQLite file URL (any other URL: unchanged)."""
    options = dict(options or {})
    if sqlite_file_of(url) is not None:
        options["connect_args"] = {"factory": Connection, **(options.get("connect_args") or {})}
    return options
