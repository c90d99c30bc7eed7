"""The scheduler's lock on the real PostgreSQL and on a SQLite file: of two replicas one leads and
runs the jobs, the other runs none until the leader goes, then takes over; a leader whose lock
connection drops mid-job starts no further job; a new leader carries on from the job runs recorded
in the database instead of running every job at once; `schedule run --once` runs every job of a
real service as its own `flask` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from imatter_shared.scheduler import DAY, HOUR, Job, LeaderLock, _key_halves, lock_key, run
from imatter_shared.scheduler_runs import SchedulerRunMixin
from imatter_shared.timeutil import utcnow
from support import testing as t

ROUND = 0.1  # seconds between a leader's rounds: the jobs below are due every round
FLASK_STEPS = os.path.join(os.path.dirname(t.__file__), "flask_steps.py")
JOBS = [Job("a", "noop a", ROUND), Job("b", "noop b", ROUND)]


class _Base(DeclarativeBase):
    pass


class _Run(SchedulerRunMixin, _Base):  # what each service's migration creates
    __tablename__ = "scheduler_runs"


def _with_runs_table(u: str) -> str:
    engine = sa.create_engine(u)
    _Base.metadata.create_all(engine)
    engine.dispose()
    return u


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield _with_runs_table(f"sqlite:///{tmp_path}/sched.db")
        return
    u = _with_runs_table(t.create_postgres_database("imatter_sched"))
    yield u
    t.drop_postgres_database(u)


@pytest.fixture
def pg_url():
    u = _with_runs_table(t.create_postgres_database("imatter_sched"))
    yield u
    t.drop_postgres_database(u)


def _replica(url, calls, name, jobs, **kw):
    """run() on a thread, recording (replica, job) for each job it runs; -> (thread, stop)."""
    stop = threading.Event()

    def record(app_name, job):
        calls.append((name, job.name))
        return 0

    thread = threading.Thread(
        target=run,
        args=("svc", url, "svc", jobs, stop),
        kwargs={"standby_seconds": 0.1, "runner": kw.pop("runner", record), **kw},
        daemon=True,
    )
    thread.start()
    return thread, stop


def _wait(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_one_lock_per_service_and_it_frees_when_the_leader_releases(url):
    first, second = LeaderLock(url, "svc"), LeaderLock(url, "svc")
    assert first.acquire() is True
    assert second.acquire() is False  # another replica leads
    assert LeaderLock(url, "other-svc").acquire() is True  # services do not share a lock
    first.release()
    assert second.acquire() is True
    second.release()


def test_two_replicas_never_both_run_jobs_and_the_standby_takes_over(url):
    calls: list[tuple[str, str]] = []
    lock = threading.Lock()

    def runner(replica):
        def record(app_name, job):
            with lock:
                calls.append((replica, job.name))
            return 0

        return record

    stops = {name: threading.Event() for name in ("r1", "r2")}
    threads = {
        name: threading.Thread(
            target=run,
            args=("svc", url, "svc", JOBS, stops[name]),
            kwargs={"standby_seconds": 0.1, "runner": runner(name)},
            daemon=True,
        )
        for name in stops
    }
    threads["r1"].start()
    assert _wait(lambda: len(calls) >= 2)  # r1 leads and has run both jobs
    threads["r2"].start()
    # r1 keeps running them each round, while r2 tries for the lock every 0.1 s (standby_seconds)
    assert _wait(lambda: len(calls) >= 2 + 2 * 5)
    assert {replica for replica, _ in calls} == {"r1"}  # the standby ran nothing
    stops["r1"].set()
    threads["r1"].join(timeout=30)
    assert not threads["r1"].is_alive()
    before = len(calls)
    assert _wait(lambda: any(replica == "r2" for replica, _ in calls[before:]))  # r2 took over
    stops["r2"].set()
    threads["r2"].join(timeout=30)
    # within any one moment only one replica ran: r2's calls all come after r1 stopped
    first_r2 = next(i for i, (replica, _) in enumerate(calls) if replica == "r2")
    assert all(replica == "r1" for replica, _ in calls[:first_r2])
    assert all(replica == "r2" for replica, _ in calls[first_r2:])


def test_schedule_run_once_runs_every_job_of_a_service_and_a_second_replica_stands_by(tmp_path):
    env = {
        **os.environ,
        "IMATTER_VAR_DIR": str(tmp_path),
        "TRAINING_DATABASE_URL": f"sqlite:///{tmp_path}/training.db",
    }
    env.pop("AMQP_URL", None)
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    # `flask db upgrade` then `flask schedule run --once`, in one process (one import of training)
    steps = [["training", {}, ["db", "upgrade"]], ["training", {}, ["schedule", "run", "--once"]]]
    r = subprocess.run(
        [sys.executable, FLASK_STEPS, json.dumps(steps)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    from training.cli import SCHEDULE  # the jobs the subprocess ran: training, imported only here

    jobs = [job.name for job in SCHEDULE]
    assert {"licences-expire", "reminders", "events-prune", "dp-retention"} <= set(jobs)
    for job in jobs:
        assert f'"job": "{job}"' in r.stderr or job in r.stderr, job
    assert '"exit": 1' not in r.stderr
    # each run recorded in training's own database (its revision 0015 made the table)
    engine = sa.create_engine(env["TRAINING_DATABASE_URL"])
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT job, exit_code FROM scheduler_runs")).all())
    engine.dispose()
    assert rows == dict.fromkeys(jobs, 0)  # every job of training's list, each exited 0
    holder = LeaderLock(env["TRAINING_DATABASE_URL"], "training")
    assert holder.acquire()
    try:
        r = subprocess.run(
            [flask, "--app", "training", "schedule", "run", "--once"], env=env, capture_output=True, text=True
        )
        assert r.returncode == 3  # another replica leads: nothing was run
        assert "licences-expire" not in r.stderr
    finally:
        holder.release()


class _CountingLock(LeaderLock):
    """A real lock that counts its terms of leadership."""

    terms = 0

    def acquire(self) -> bool:
        got = super().acquire()
        self.terms += got
        return got


def test_a_leader_whose_lock_connection_drops_during_a_job_starts_no_further_job(pg_url):
    lock = _CountingLock(pg_url, "svc")
    calls: list[tuple[str, int]] = []

    def runner(app_name, job):
        calls.append((job.name, lock.terms))
        if job.name == "a" and lock.terms == 1:
            # during the first job the connection that holds the lock goes (a network drop, a
            # restarted pooler): from now on another replica could lead and start the same jobs
            engine = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
            with engine.begin() as conn:
                dropped = conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                        " AND classid::bigint = :hi AND objid::bigint = :lo"
                    ),
                    _key_halves(lock_key("svc")),
                ).all()
            engine.dispose()
            assert dropped == [(True,)]
        return 0

    stop = threading.Event()
    thread = threading.Thread(
        target=run,
        args=("svc", pg_url, "svc", JOBS, stop),
        kwargs={"standby_seconds": 0.1, "runner": runner, "lock": lock},
        daemon=True,
    )
    thread.start()
    assert _wait(lambda: lock.terms >= 2 and ("b", 2) in calls)  # it led again, once the lock was free
    stop.set()
    thread.join(timeout=30)
    assert ("b", 1) not in calls  # b was due after a in the first term: not started without the lock
    assert calls[0] == ("a", 1)


def test_a_new_leader_runs_only_the_jobs_that_are_due(url):
    """A fail-over or a rolling update: the next leader carries on from the recorded runs."""
    jobs = [Job("daily", "noop daily", DAY), Job("hourly", "noop hourly", HOUR)]
    calls: list[tuple[str, str]] = []
    first, stop = _replica(url, calls, "r1", jobs)
    assert _wait(lambda: len(calls) == 2)
    stop.set()
    first.join(timeout=30)
    assert calls == [("r1", "daily"), ("r1", "hourly")]
    with sa.create_engine(url).connect() as conn:
        rows = conn.execute(sa.text("SELECT job, exit_code FROM scheduler_runs ORDER BY job")).all()
    assert rows == [("daily", 0), ("hourly", 0)]
    # the next leader, a moment later: nothing is due
    second, stop = _replica(url, calls, "r2", [*jobs, Job("new", "noop new", DAY)])
    assert _wait(lambda: ("r2", "new") in calls)  # a job never run before is due at once
    stop.set()
    second.join(timeout=30)
    # ... and two hours later: the hourly job, not the daily one
    later = utcnow() + timedelta(hours=2)
    third, stop = _replica(url, calls, "r3", jobs, clock=lambda: later)
    assert _wait(lambda: ("r3", "hourly") in calls)
    stop.set()
    third.join(timeout=30)
    assert calls[2:] == [("r2", "new"), ("r3", "hourly")]
