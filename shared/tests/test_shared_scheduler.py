"""The scheduler's lock on the real PostgreSQL and on a SQLite file: of two replicas one leads and
runs the jobs, the other runs none until the leader goes, then takes over; `schedule run --once`
runs every job of a real service as its own `flask` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from imatter_shared.scheduler import Job, LeaderLock, run
from support import testing as t

ROUND = 0.1  # seconds between a leader's rounds: the jobs below are due every round
FLASK_STEPS = os.path.join(os.path.dirname(t.__file__), "flask_steps.py")
JOBS = [Job("a", "noop a", ROUND), Job("b", "noop b", ROUND)]


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/sched.db"
        return
    u = t.create_postgres_database("imatter_sched")
    yield u
    t.drop_postgres_database(u)


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
    for job in ("licences-expire", "reminders", "events-prune", "dp-retention"):
        assert f'"job": "{job}"' in r.stderr or job in r.stderr, job
    assert '"exit": 1' not in r.stderr
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
