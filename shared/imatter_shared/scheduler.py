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

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from .config import sqlite_file_of

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
        """Still the leader: on PostgreSQL, the connection that holds the lock still answers."""
        if self._conn is None:
            return True
        try:
            self._conn.execute(sa.text("SELECT 1"))
            self._conn.commit()
            return True
        except sa.exc.DBAPIError:
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
                self._conn.close()
            except sa.exc.DBAPIError:
                pass  # the connection is gone, and the lock with it
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
) -> int:
    """Lead (or wait to lead) and run each job when due; `once`: run every job one time as leader
    and return (0), or return 3 at once when another replica leads."""
    lock = LeaderLock(url, service)
    while not stop.is_set():
        if not lock.acquire():
            if once:
                log.info("another replica leads the scheduler", extra={"ctx_service": service})
                return 3
            stop.wait(standby_seconds)
            continue
        log.info("scheduler leads", extra={"ctx_service": service})
        last: dict[str, float] = {}
        try:
            while not stop.is_set() and lock.alive():
                now = time.monotonic()
                for job in jobs:
                    if stop.is_set():
                        break
                    if job.name not in last or now - last[job.name] >= job.every_seconds:
                        last[job.name] = now
                        runner(app_name, job)
                if once:
                    return 0
                stop.wait(min(60.0, min(j.every_seconds for j in jobs)))
        finally:
            lock.release()
    return 0


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
