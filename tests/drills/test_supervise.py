"""`make run` survives a crash: every Procfile line runs under tools/supervise.sh, which starts
the command again after it dies (honcho alone stops everything when one process exits)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUPERVISE = os.path.join(REPO, "tools", "supervise.sh")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except FileNotFoundError:
        return []


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_every_procfile_line_is_supervised():
    with open(os.path.join(REPO, "Procfile"), encoding="utf-8") as fh:
        lines = [line.strip() for line in fh if line.strip() and not line.startswith("#")]
    assert lines
    for line in lines:
        name, _, command = line.partition(":")
        assert command.strip().startswith(f"tools/supervise.sh {name} "), line


def test_a_killed_command_is_restarted_and_a_group_sigterm_stops_both():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    sup = subprocess.Popen(
        [SUPERVISE, "sleeper", *sleeper], stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        first = _wait(lambda: _children(sup.pid), 5, "the first command")[0]
        os.kill(first, signal.SIGKILL)
        second = _wait(lambda: [p for p in _children(sup.pid) if p != first], 5, "a restarted command")[0]
        assert sup.poll() is None
        # honcho stops a line by signalling its process group: both go, the supervisor at once
        os.killpg(sup.pid, signal.SIGTERM)
        sup.wait(timeout=5)
        _wait(lambda: not os.path.exists(f"/proc/{second}") or _zombie(second), 5, "the command to stop")
        assert "supervise: sleeper exited with status 137; restarting in 1 s" in sup.stderr.read()
    finally:
        if sup.poll() is None:
            os.killpg(sup.pid, signal.SIGKILL)
            sup.wait()


def test_signalling_the_supervisor_alone_stops_its_command_too():
    sup = subprocess.Popen(
        [SUPERVISE, "sleeper", sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    try:
        child = _wait(lambda: _children(sup.pid), 5, "the command")[0]
        os.kill(sup.pid, signal.SIGTERM)
        sup.wait(timeout=6)
        _wait(lambda: not os.path.exists(f"/proc/{child}") or _zombie(child), 5, "the command to stop")
    finally:
        if sup.poll() is None:
            os.killpg(sup.pid, signal.SIGKILL)
            sup.wait()


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
