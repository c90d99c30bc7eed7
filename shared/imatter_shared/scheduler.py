"""One scheduler per service: `flask schedule run` runs the service's housekeeping jobs (licence
expiry, retention, outbox/inbox pruning, reminders), each on its own interval, and only while it
holds the service's scheduler lock, so two replicas never run a job at the same time or twice
in one period: one is the leader, the others wait and take over when it goes.

The lock: on PostgreSQL a session advisory lock held on a connection of its own for as long as the
process leads (it ends with the connection, so a killed leader frees it at once); on SQLite (one
machine) an exclusive `flock` on a file beside the database. Each job runs as its own
`flask --app <service> ...` process, as an operator would run it, and its exit is logged; a failed
job is retried at its next turn. Every job is idempotent in itself (e.g. a licence is announced
expired once), the lock only keeps the work from being done twice.

The lock is checked again right before each job (on PostgreSQL: the advisory lock is still this
connection's), so a leader whose lock connection dropped during a long job starts nothing more and
stands by. When each job last started is kept in the service's database (scheduler_runs.py), so a
new leader runs only what is due, not every job at once (decision 0053).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from .config import sqlite_file_of
from .scheduler_runs import RunLog
from .timeutil import utcnow

log = logging.getLogger("imatter.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    command: str  # the flask command line after `flask --app <service>`, e.g. "licences expire"
    every_seconds: float


HOUR, DAY = 3600, 86400


def lock_key(service: str) -> int:
    """A stable signed 64-bit advisory-lock key for one service's scheduler."""
    digest = hashlib.sha256(f"imatter-scheduler:{service}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# pg_locks shows a bigint advisory key as classid (high 32 bits) and objid (low), objsubid 1
HELD = sa.text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1)"
)


def _key_halves(key: int) -> dict[str, int]:
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    return {"hi": unsigned >> 32, "lo": unsigned & 0xFFFF_FFFF}


class LeaderLock:
    """Try to become the service's scheduler leader; `held` stays true until `release()`."""

    def __init__(self, url: str, service: str):
        self.url, self.service = url, service
        self._conn = self._engine = self._file = None

    def acquire(self) -> bool:
        path = sqlite_file_of(self.url)
        if self.url.startswith("sqlite"):
            if path is None:
                return True  # an in-memory database belongs to this process alone
            self._file = open(f"{path}.{self.service}.scheduler.lock", "a")  # noqa: SIM115  (held while leading)
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                self._file.close()
                self._file = None
                return False
        self._engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        conn = self._engine.connect()
        got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(self.service)}).scalar()
        conn.commit()
        if got:
            self._conn = conn
            return True
        conn.close()
        self._engine.dispose()
        return False

    def alive(self) -> bool:
        """Still the leader: on PostgreSQL, the connection that took the lock answers and still
        holds it (a dropped connection took the lock with it; another replica may lead now)."""
        if self._conn is None:
            return True
        try:
            held = self._conn.execute(HELD, _key_halves(lock_key(self.service))).scalar()
            self._conn.commit()
            return bool(held)
        except sa.exc.SQLAlchemyError:
            return False

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            try:
                self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(self.service)})
                self._conn.commit()
            except sa.exc.SQLAlchemyError:
                pass  # the connection is gone, and the lock with it
            try:
                self._conn.close()
            except sa.exc.SQLAlchemyError:
                pass
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def run_job(app_name: str, job: Job) -> int:
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    started = time.monotonic()
    code = subprocess.run([flask, "--app", app_name, *shlex.split(job.command)]).returncode
    log.log(
        logging.INFO if code == 0 else logging.ERROR,
        "scheduled job finished",
        extra={"ctx_job": job.name, "ctx_exit": code, "ctx_seconds": round(time.monotonic() - started, 1)},
    )
    return code


def run(
    app_name: str,
    url: str,
    service: str,
    jobs: list[Job],
    stop: threading.Event,
    *,
    once: bool = False,
    standby_seconds: float = 15.0,
    runner: Callable[[str, Job], int] = run_job,
    clock: Callable[[], datetime] = utcnow,
    lock: LeaderLock | None = None,
) -> int:
    """Lead (or wait to lead) and run each job when due; `once`: run every job one time as leader
    and return (0), or return 3 at once when another replica leads."""
    lock = lock or LeaderLock(url, service)
    runs = RunLog(url)
    try:
        while not stop.is_set():
            if not lock.acquire():
                if once:
                    log.info("another replica leads the scheduler", extra={"ctx_service": service})
                    return 3
                stop.wait(standby_seconds)
                continue
            log.info("scheduler leads", extra={"ctx_service": service})
            try:
                while not stop.is_set():
                    if not run_due(app_name, jobs, lock, runs, stop, runner, clock, every_job=once):
                        log.warning("scheduler lost its lock: standing by", extra={"ctx_service": service})
                        if once:
                            return 3  # another replica may lead now: it runs the rest
                        break
                    if once:
                        return 0
                    stop.wait(min(60.0, min(j.every_seconds for j in jobs)))
            finally:
                lock.release()
    finally:
        runs.dispose()
    return 0


def run_due(app_name, jobs, lock, runs: RunLog, stop, runner, clock, *, every_job: bool = False) -> bool:
    """Run each job that is due (all of them with `every_job`), the lock checked right before
    each; False as soon as it is no longer held."""
    last = runs.last_started()
    for job in jobs:
        if stop.is_set():
            break
        now = clock()
        started = last.get(job.name)
        if not every_job and started is not None and (now - started).total_seconds() < job.every_seconds:
            continue
        if not lock.alive():
            return False
        runs.started(job.name, now)
        code = runner(app_name, job)
        runs.finished(job.name, clock(), code)
    return True


EXTENSION_KEY = "imatter.schedule"


def loop_for(app) -> Callable[[threading.Event], None] | None:
    """The scheduler as a loop `flask worker` runs on a thread (None when the service has no jobs)."""
    spec = app.extensions.get(EXTENSION_KEY)
    if spec is None:
        return None
    app_name, service, jobs = spec
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    return lambda stop: run(app_name, url, service, jobs, stop)


def register_schedule_cli(app, app_name: str, service: str, jobs: list[Job]) -> None:
    app.extensions[EXTENSION_KEY] = (app_name, service, jobs)
    group = AppGroup("schedule", help="Housekeeping jobs on a schedule, one leader among replicas.")

    @group.command("run")
    @click.option(
        "--once", is_flag=True, help="Run every job once as the leader, then exit (3: not the leader)."
    )
    def run_command(once):
        """Run this service's jobs on their intervals while holding the scheduler lock."""
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():  # only it may set signal handlers
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        url = current_app.config["SQLALCHEMY_DATABASE_URI"]
        raise SystemExit(run(app_name, url, service, jobs, stop, once=once))

    @group.command("list")
    def list_command():
        """The jobs and their intervals."""
        for job in jobs:
            click.echo(f"{job.name}: every {job.every_seconds} s: flask --app {app_name} {job.command}")

    app.cli.add_command(group)
