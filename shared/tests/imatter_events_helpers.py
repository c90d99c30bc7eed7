"""Helpers for the event-backbone tests: bounded waits, running loops in threads,
recording consumer outcomes, and driving the real RabbitMQ with rabbitmqctl."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from imatter_shared.messaging.transports import Outcome


def rabbitmqctl(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=timeout, check=True)


@functools.lru_cache(maxsize=1)
def can_rabbitmqctl() -> bool:
    if shutil.which("rabbitmqctl") is None:
        return False
    try:
        rabbitmqctl("status", timeout=30)
        return True
    except (subprocess.SubprocessError, OSError):
        return False


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll until predicate() is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


@contextmanager
def running(*loops: Callable[[threading.Event], None]) -> Iterator[threading.Event]:
    """Run relay/consumer loops (`run_forever(stop)`) in threads for the block's duration."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def guard(loop: Callable[[threading.Event], None]) -> None:
        try:
            loop(stop)
        except BaseException as exc:  # surfaced after the block
            errors.append(exc)

    threads = [threading.Thread(target=guard, args=(loop,), daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    try:
        yield stop
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(t.is_alive() for t in threads), "a relay/consumer loop did not stop within 30 s"
    assert not errors, f"a loop crashed: {errors!r}"


class Recorder:
    """Wraps Consumer.process and Consumer.process_batch to remember every outcome (thread-safe)."""

    def __init__(self, consumer: Any):
        self.outcomes: list[Outcome] = []
        self.events: list[tuple[str | None, Outcome]] = []
        self.batches: list[int] = []  # size of each batch handed over
        self._lock = threading.Lock()
        inner_batch = consumer.process_batch

        def process_batch(deliveries: Any) -> list[Outcome]:
            outcomes = inner_batch(deliveries)
            with self._lock:
                self.batches.append(len(deliveries))
                for (body, _attempt), outcome in zip(deliveries, outcomes, strict=True):
                    self._record(body, outcome)
            return outcomes

        def process(body: bytes, attempt: int = 1) -> Outcome:
            return process_batch([(body, attempt)])[0]

        consumer.process_batch = process_batch
        consumer.process = process

    def _record(self, body: bytes, outcome: Outcome) -> None:
        try:
            event_id = json.loads(body)["event_id"]
        except Exception:
            event_id = None
        self.outcomes.append(outcome)
        self.events.append((event_id, outcome))

    def count(self, action: str, reason_part: str = "") -> int:
        with self._lock:
            return sum(1 for o in self.outcomes if o.action == action and reason_part in o.reason)

    def applied(self) -> list[str]:
        """event_ids whose handler ran and committed, in order."""
        with self._lock:
            return [e for e, o in self.events if o.action == "ack" and not o.reason]


def broker_running() -> None:
    rabbitmqctl("start_app", timeout=120)
    rabbitmqctl("await_startup", timeout=120)


@contextmanager
def broker_stopped() -> Iterator[None]:
    """Stop RabbitMQ for the block (keep it short: others share the broker)."""
    if not can_rabbitmqctl():
        pytest.skip("rabbitmqctl is not usable here (needs root)")
    rabbitmqctl("stop_app", timeout=120)
    try:
        yield
    finally:
        broker_running()
