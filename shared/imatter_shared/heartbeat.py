"""Liveness of the background loops: a heartbeat file each loop touches while it makes progress,
and a check a liveness probe runs (decision 0049).

A loop that is alive but stuck (a handler waiting forever on a lock, a relay round that never
returns) still answers nothing wrong to a process check; its heartbeat file stops getting newer.

    IMATTER_HEARTBEAT_DIR=/tmp/heartbeat flask events consume      # touches /tmp/heartbeat/consumer
    python -m imatter_shared.heartbeat --max-age 60 /tmp/heartbeat/consumer   # exit 1 when stale

Without IMATTER_HEARTBEAT_DIR nothing is written. Standard library only: the probe runs this
module every period and must not import the service.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

ENV = "IMATTER_HEARTBEAT_DIR"
_EVERY = 1.0  # seconds between writes of one file: a beat is a cheap utime, not a write per message
_last: dict[str, float] = {}
_lock = threading.Lock()


def beat(name: str, at: float | None = None) -> None:
    """Record that loop `name` made progress (at `at`, a time.time() value, default now: a loop
    busy with one batch beats with the time the batch started, so a hung batch goes stale)."""
    folder = os.environ.get(ENV)
    if not folder:
        return
    now = time.time()
    when = now if at is None else min(at, now)
    with _lock:
        if now - _last.get(name, 0.0) < _EVERY:
            return
        _last[name] = now
    path = os.path.join(folder, name)
    try:
        if not os.path.exists(path):
            os.makedirs(folder, exist_ok=True)
            with open(path, "ab"):
                pass
        os.utime(path, (when, when))
    except OSError:  # a full or read-only disk must not stop the loop; the probe will say so
        pass


def age(path: str) -> float | None:
    """Seconds since the file's last beat, or None if there is none."""
    try:
        return time.time() - os.stat(path).st_mtime
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m imatter_shared.heartbeat", description=__doc__)
    parser.add_argument("--max-age", type=float, default=60.0, help="seconds; older is stale")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    stale = []
    for path in args.files:
        seconds = age(path)
        if seconds is None or seconds > args.max_age:
            stale.append(f"{path}: {'no heartbeat' if seconds is None else f'{seconds:.0f} s old'}")
    for line in stale:
        print(line, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
