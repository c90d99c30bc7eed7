"""The faults a drill injects, one at a time, each timed: how long the fault lasted and how long
the system took to catch up afterwards (every outbox row that existed when the fault ended
published, every queue drained once)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

import pika
import sqlalchemy as sa

from drills import checks
from drills.infra import close_connections


@dataclass
class Record:
    """What was injected, and the recovery of each injection (seconds)."""

    done: dict = field(default_factory=dict)  # fault name -> list of recovery seconds
    down: list = field(default_factory=list)  # (start, end) monotonic windows a service or the DB was down
    poison: dict = field(default_factory=dict)  # service -> poison message ids sent to its queue

    def add(self, name: str, seconds: float) -> None:
        self.done.setdefault(name, []).append(round(seconds, 2))


def _outbox_marks(stack) -> dict[str, int]:
    marks = {}
    for name in ("training", "cic"):
        engine = sa.create_engine(stack.database_urls[name])
        try:
            with engine.connect() as conn:
                marks[name] = conn.execute(
                    sa.text("SELECT coalesce(max(id), 0) FROM outbox_messages")
                ).scalar()
        finally:
            engine.dispose()
    return marks


def caught_up(stack, timeout: float = 180) -> float:
    """Seconds until what was in the outboxes now is published and both queues were empty once."""
    start = time.monotonic()
    marks, drained = None, set()
    while time.monotonic() - start < timeout:
        try:
            marks = marks or _outbox_marks(stack)
            left = 0
            for name, mark in marks.items():
                engine = sa.create_engine(stack.database_urls[name])
                try:
                    with engine.connect() as conn:
                        left += conn.execute(
                            sa.text(
                                "SELECT count(*) FROM outbox_messages WHERE id <= :m AND state <> 'published'"
                            ),
                            {"m": mark},
                        ).scalar()
                finally:
                    engine.dispose()
            for service in ("training", "cic-tracker"):
                if checks.queue_depth(stack, stack.queue(service)) == 0:
                    drained.add(service)
            if left == 0 and len(drained) == 2:
                return time.monotonic() - start
        except Exception:  # the broker or the database is still coming back
            pass
        time.sleep(0.2)
    raise AssertionError(f"not caught up within {timeout} s")


def kill_and_restart(stack, name: str, record: Record) -> None:
    """SIGKILL one of the drill's processes and start it again at once."""
    start = time.monotonic()
    stack.kill(name)
    stack.restart(name)
    if name in ("gateway", "training", "cic"):
        record.down.append((start, time.monotonic()))
    record.add(f"SIGKILL {name} and restart", time.monotonic() - start + caught_up(stack))


def kill_web_worker(stack, name: str, record: Record) -> None:
    """SIGKILL one gunicorn worker of a service: the master starts another."""
    workers = stack.web_workers(name)
    start = time.monotonic()
    subprocess.run(["kill", "-KILL", str(workers[0])], check=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        workers[0] in stack.web_workers(name) or not stack.web_workers(name)
    ):
        time.sleep(0.05)
    stack.wait_healthy(name, timeout=60)
    record.down.append((start, time.monotonic()))
    record.add(f"SIGKILL a {name} gunicorn worker", time.monotonic() - start)


def close_broker_connections(stack, record: Record) -> None:
    start = time.monotonic()
    close_connections(stack.infra)
    record.add("close_all_connections (drill vhost)", time.monotonic() - start + caught_up(stack))


def broker_outage(stack, record: Record) -> None:
    """rabbitmqctl stop_app, then start_app: the relays keep the outbox, the consumers reconnect."""
    start = time.monotonic()
    stack.infra.broker_stop()
    stack.infra.broker_start()
    outage = time.monotonic() - start
    record.add("rabbitmqctl stop_app/start_app", outage + caught_up(stack))


def database_restart(stack, record: Record) -> None:
    """Restart the PostgreSQL cluster under load."""
    start = time.monotonic()
    stack.infra.pg_restart()
    record.down.append((start, time.monotonic()))
    record.add("PostgreSQL restart", time.monotonic() - start + caught_up(stack))


def poison(stack, record: Record) -> None:
    """Publish two messages no consumer can apply straight to each queue: not an envelope, and
    an envelope of an unknown type. Each must land on the queue's dead-letter queue, alone."""
    conn = pika.BlockingConnection(pika.URLParameters(stack.infra.amqp_url))
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        for service in ("training", "cic-tracker"):
            for body in (b"{not an envelope", _unknown_type_envelope()):
                message_id = f"poison-{uuid.uuid4()}"
                props = pika.BasicProperties(
                    delivery_mode=2, message_id=message_id, content_type="application/json"
                )
                ch.basic_publish("", stack.queue(service), body, props, mandatory=True)
                record.poison.setdefault(service, []).append(message_id)
    finally:
        conn.close()
    start = time.monotonic()
    want = {s: len(ids) for s, ids in record.poison.items()}
    while time.monotonic() - start < 60:
        if all(len(checks.dead_letter_ids(stack, stack.queue(s))) >= n for s, n in want.items()):
            break
        time.sleep(0.2)
    record.add("poison message to each queue (2 each)", time.monotonic() - start)


def _unknown_type_envelope() -> bytes:
    return json.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "type": "drill.unknown.happened",
            "version": 1,
            "occurred_at": "2026-11-29T12:00:00Z",
            "producer": "drill",
            "data": {},
        }
    ).encode()


def wedge_caught(stack, name: str, record: Record, max_age: float = 2.0) -> None:
    """SIGSTOP a loop process (alive but stuck): its heartbeat must go stale, as the Kubernetes
    liveness probe sees it; SIGCONT and it is fresh again."""
    path = stack.heartbeat_path(name)
    probe = [sys.executable, "-m", "imatter_shared.heartbeat", "--max-age", str(max_age), path]
    deadline = time.monotonic() + 60  # a loop restarted a moment ago is still importing the service
    while subprocess.run(probe, capture_output=True).returncode != 0:
        assert time.monotonic() < deadline, f"{name} heartbeat not fresh"
        time.sleep(0.25)
    proc = stack.procs[name]
    start = time.monotonic()
    proc.send_signal(signal.SIGSTOP)
    try:
        while subprocess.run(probe, capture_output=True).returncode == 0:
            assert time.monotonic() - start < 30, "the probe did not see the wedge"
            time.sleep(0.25)
        seen = time.monotonic() - start
    finally:
        proc.send_signal(signal.SIGCONT)
    while subprocess.run(probe, capture_output=True).returncode != 0:
        assert time.monotonic() - start < 60, "the heartbeat did not come back"
        time.sleep(0.25)
    record.add(f"SIGSTOP {name}: probe (--max-age {max_age:g}) failed after", seen)
