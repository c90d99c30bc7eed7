"""The loops' heartbeat files and the liveness check a probe runs on them (decision 0049)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from imatter_shared import heartbeat
from imatter_shared.messaging.transports import Outcome
from imatter_shared.messaging.transports.amqp_worker import Worker


def test_no_directory_no_file(tmp_path, monkeypatch):
    monkeypatch.delenv(heartbeat.ENV, raising=False)
    heartbeat.beat("relay-none")
    assert os.listdir(tmp_path) == []


def test_a_fresh_beat_passes_and_a_stale_or_missing_one_fails(tmp_path, monkeypatch):
    monkeypatch.setenv(heartbeat.ENV, str(tmp_path / "hb"))
    heartbeat.beat("relay-fresh")
    path = str(tmp_path / "hb" / "relay-fresh")
    assert heartbeat.main(["--max-age", "60", path]) == 0
    os.utime(path, (time.time() - 120, time.time() - 120))
    assert heartbeat.main(["--max-age", "60", path]) == 1
    assert heartbeat.main(["--max-age", "60", str(tmp_path / "hb" / "never")]) == 1


def test_a_loop_busy_since_long_ago_beats_stale(tmp_path, monkeypatch):
    """The consumer beats with the start of the batch it is in: a hung batch goes stale although
    the I/O loop keeps turning."""
    monkeypatch.setenv(heartbeat.ENV, str(tmp_path))
    heartbeat.beat("consumer-busy", at=time.time() - 300)
    assert heartbeat.main(["--max-age", "60", str(tmp_path / "consumer-busy")]) == 1


def test_the_probe_command_runs_without_the_service(tmp_path):
    path = tmp_path / "consumer"
    path.touch()
    ok = subprocess.run([sys.executable, "-m", "imatter_shared.heartbeat", "--max-age", "60", str(path)])
    assert ok.returncode == 0
    old = time.time() - 61
    os.utime(path, (old, old))
    stale = subprocess.run(
        [sys.executable, "-m", "imatter_shared.heartbeat", "--max-age", "60", str(path)],
        capture_output=True,
        text=True,
    )
    assert stale.returncode == 1 and "s old" in stale.stderr


def test_the_amqp_worker_tells_when_its_batch_started():
    seen: list[float | None] = []
    release = threading.Event()

    def process_batch(deliveries):
        release.wait(5)
        return [Outcome.ack()] * len(deliveries)

    class Conn:
        def add_callback_threadsafe(self, fn):
            pass

    worker = Worker(process_batch, 1)
    worker.start()
    assert worker.busy_since is None
    before = time.time()
    worker.submit(0, Conn(), None, 1, b"{}", 1)
    deadline = time.monotonic() + 5
    while worker.busy_since is None and time.monotonic() < deadline:
        time.sleep(0.01)
    seen.append(worker.busy_since)
    release.set()
    worker.stop()
    assert seen[0] is not None and seen[0] >= before - 1
    assert worker.busy_since is None
