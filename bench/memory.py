"""5. Memory: resident size of every service process group (gunicorn master + workers, relays,
consumers) idle and at peak under a mixed load (reads through the gateway plus organisation writes),
next to the bare Flask route's gunicorn under the same settings (the ceiling: the least a process
group of this stack can weigh); then the same for the `make run` topology (every Procfile line,
bench/procfile_stack.py).

RSS comes from /proc/<pid>/status (VmRSS); PSS from /proc/<pid>/smaps_rollup shares pages that
gunicorn workers inherit from their master, so PSS adds up across processes and RSS does not.

    python -m bench.memory
"""

from __future__ import annotations

import json
import threading
import time

from .common import Ceiling, Settings, Stack, Table, dump_logs, emit, group_memory, log, ratio, started
from .fixtures import create_org, read_paths, signed_up
from .loadgen import run_get, run_python
from .procfile_stack import ProcfileStack


def _mib(kib: int) -> float:
    return kib / 1024.0


def _load(stack, s: Settings, groups: dict[str, int], extra=None) -> tuple[dict, dict, dict]:
    """Idle memory, then peak memory under mixed reads + organisation writes, of each group.
    `extra()` runs after the mixed load while the sampler still runs (the ceiling's own load)."""
    stop = threading.Event()
    peaks: dict[str, dict] = {}
    user = signed_up(stack)
    org_id = create_org(user)
    settle = 0.0 if s.smoke else 1.0  # seconds for the first requests to settle (smoke: measures nothing)
    time.sleep(settle)
    idle = {name: group_memory(pid) for name, pid in groups.items()}

    def sample():
        while not stop.is_set():
            for name, pid in groups.items():
                m = group_memory(pid)
                if m["rss_kib"] > peaks.get(name, {}).get("rss_kib", 0):
                    peaks[name] = m
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        headers = {"Authorization": f"Bearer {user.token}", "Accept": "application/json"}
        write_body = json.dumps(
            {
                "name": "Fictional Memory School",
                "kind": "school",
                "size_band": "small",
                "link_contact_email": user.email,
                "senior_leadership_commitment": True,
            }
        ).encode()
        whdr = {**headers, "Content-Type": "application/json"}
        writes: dict = {}

        def writer():
            writes["r"] = run_python(
                "writes",
                stack.url(),
                lambda n: ("POST", "/api/v1/organisations", write_body, whdr),
                duration=s.duration,
                connections=2,
                processes=1,
                max_requests=min(s.max_requests, 3000),
            )

        wt = threading.Thread(target=writer, daemon=True)
        wt.start()
        paths = [p for ps in read_paths(org_id).values() for p in ps]
        log(f"mixed load for {s.duration:.0f}s: reads {len(paths)} paths + organisation writes")
        reads = run_get(
            "mixed reads",
            stack.url(),
            paths,
            headers,
            duration=s.duration,
            connections=s.connections,
            threads=s.threads,
            generator=s.generator,
            max_requests=s.max_requests,
        )
        wt.join(timeout=s.duration + 120)
        if extra is not None:
            extra()
        time.sleep(0.6 * settle)  # one more sample after the load
    finally:
        stop.set()
        sampler.join(timeout=5)
    counts = {"reads": reads.requests, "writes": writes.get("r").requests if writes.get("r") else 0}
    return idle, peaks, counts


COLUMNS = [
    "process group",
    "processes",
    "idle RSS MiB",
    "peak RSS MiB",
    "peak PSS MiB",
    "largest process MiB",
    "x ceiling (RSS)",
]


def _table(title: str, idle: dict, peaks: dict, base_kib: int | None) -> Table:
    t = Table(title, COLUMNS)
    for name in list(idle):
        i, p = idle[name], peaks.get(name, idle[name])
        t.add(
            name,
            p["processes"],
            _mib(i["rss_kib"]),
            _mib(p["rss_kib"]),
            _mib(p["pss_kib"]),
            _mib(p["max_rss_kib"]),
            ratio(p["rss_kib"], base_kib),
        )
    mine = [n for n in idle if not n.startswith("ceiling")]
    total = sum(peaks.get(n, idle[n])["pss_kib"] for n in mine)
    rss = sum(peaks.get(n, idle[n])["rss_kib"] for n in mine)
    procs = sum(peaks.get(n, idle[n])["processes"] for n in mine)
    t.notes.append(
        f"whole system at peak: {_mib(total):,.0f} MiB PSS (what it really takes from the machine), "
        f"{_mib(rss):,.0f} MiB RSS summed over {procs} processes"
    )
    return t


def run(s: Settings | None = None, sink: list | None = None, stack: Stack | None = None) -> list[Table]:
    """`stack`: an already started SQLite stack with relays and consumers (left running)."""
    s = s or Settings.from_env()
    with Ceiling(s.workers) as ceiling:
        make = lambda: Stack(workers=s.workers, consumers=True)  # noqa: E731
        message = "starting the stack (SQLite, embedded transport, relays and consumers)"
        with started(stack, make, message) as stack:
            groups = {name: proc.pid for name, proc in stack.procs.items()}
            groups["ceiling (bare Flask)"] = ceiling.proc.pid

            def ceiling_load():  # the ceiling under the same read load, for its own peak
                run_get(
                    "ceiling",
                    ceiling.url(),
                    ["/json"],
                    None,
                    duration=min(s.duration, 3),
                    connections=s.connections,
                    threads=s.threads,
                    generator=s.generator,
                    max_requests=s.max_requests,
                )

            idle, peaks, counts = _load(stack, s, groups, ceiling_load)
    base = peaks.get("ceiling (bare Flask)", {}).get("rss_kib") or None
    t = _table(
        f"5. Memory per process group ({s.workers} gunicorn workers x 4 threads; peak under "
        f"{counts.get('reads', 0):,} reads + {counts.get('writes', 0):,} writes)",
        idle,
        peaks,
        base,
    )
    t.notes.append(
        "a gunicorn group is its master plus workers; relays and consumers are one `flask events` "
        "process each"
    )
    tables = [t, procfile_table(s, base)]
    for table in tables:
        emit(table)
        if sink is not None:
            sink.append(table)
    return tables


def procfile_table(s: Settings | None = None, base_kib: int | None = None) -> Table:
    """5b: the same load on the `make run` topology (every Procfile line as it is written).
    `python -c "from bench.memory import procfile_table as t; t()"` measures this one alone."""
    s = s or Settings.from_env()
    stack = ProcfileStack()
    try:
        log("starting the make run topology: every Procfile line (SQLite, embedded transport)")
        stack.start()
        groups = {name: proc.pid for name, proc in stack.procs.items()}
        idle, peaks, counts = _load(stack, s, groups)
    except BaseException:
        dump_logs(stack)
        raise
    finally:
        stack.cleanup()
    t = _table(
        f"5b. Memory of `make run` (every Procfile process as the Procfile starts it; peak under "
        f"{counts.get('reads', 0):,} reads + {counts.get('writes', 0):,} writes)",
        idle,
        peaks,
        base_kib,
    )
    t.notes.append("a group is one Procfile line: a gunicorn master and its workers, or one command")
    if base_kib is None:
        emit(t)
    return t


if __name__ == "__main__":
    run()
