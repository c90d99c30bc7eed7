"""What every benchmark shares: settings, result tables, percentiles, machine facts, process memory,
and the ceiling (a bare Flask JSON route under the same gunicorn settings as the services)."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(REPO, "tests")
if TESTS not in sys.path:  # tests/support (Stack, Client) is shared with the e2e tests
    sys.path.insert(0, TESTS)

# The ceiling must run under the services' own gunicorn flags: read them from Stack.start_web.
import inspect  # noqa: E402

from support.stack import BIN, Stack, free_port, stop_group  # noqa: E402

STACK_WEB_FLAGS = inspect.getsource(Stack.start_web)


# -- settings ---------------------------------------------------------------------------------


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_sizes(name: str, default: str) -> list[tuple[int, int]]:
    """`1000:10000,10000:100000` -> [(organisations, learners), ...]."""
    raw = os.environ.get(name) or default
    out = []
    for part in raw.split(","):
        orgs, _, learners = part.strip().partition(":")
        out.append((int(orgs), int(learners or 0)))
    return out


# The smallest size already fills the directory's first page (1 learner in 20 is listed: 50 at
# 1,000 learners), so "largest / smallest" compares the same page of entries at each size: growth,
# not an empty page against a full one (an empty directory serialises nothing; issue 18 P3).
QUICK_SIZES = "100:1000,1000:10000,10000:100000"
FULL_SIZES = "100:1000,1000:10000,10000:100000,100000:1000000"


@dataclass
class Settings:
    """Knobs of one run. Environment variables (BENCH_*) and run_all flags set them."""

    mode: str = "quick"  # quick | full
    duration: float = 8.0  # seconds of load per measured case
    connections: int = 32  # concurrent keep-alive connections (wrk -c)
    threads: int = 2  # wrk -t / python generator processes
    workers: int = 2  # gunicorn workers per service (Stack(workers=...))
    generator: str = "auto"  # auto (wrk if installed) | wrk | python
    max_requests: int = 2_000_000  # hard cap per case, whatever the duration
    write_duration: float = 8.0
    write_connections: int = 8
    events_count: int = 2000  # events drained through the pipeline
    events_rate: float = 50.0  # events/s for the steady-rate latency run
    events_latency_seconds: float = 10.0
    pika_messages: int = 5000
    sizes: list[tuple[int, int]] = field(default_factory=lambda: _env_sizes("BENCH_SIZES", QUICK_SIZES))
    smoke: bool = False  # tiny and fast: for tests/bench only

    @classmethod
    def from_env(cls, mode: str | None = None) -> Settings:
        mode = mode or os.environ.get("BENCH_MODE", "quick")
        full = mode == "full"
        s = cls(
            mode=mode,
            duration=_env_float("BENCH_DURATION", 8.0 if full else 5.0),
            connections=_env_int("BENCH_CONNECTIONS", 32),
            threads=_env_int("BENCH_THREADS", 2),
            workers=_env_int("BENCH_WORKERS", 2),
            generator=os.environ.get("BENCH_GENERATOR", "auto"),
            max_requests=_env_int("BENCH_MAX_REQUESTS", 2_000_000),
            write_duration=_env_float("BENCH_WRITE_DURATION", 8.0 if full else 5.0),
            write_connections=_env_int("BENCH_WRITE_CONNECTIONS", 8),
            events_count=_env_int("BENCH_EVENTS", 5000 if full else 2000),
            events_rate=_env_float("BENCH_EVENTS_RATE", 50.0),
            events_latency_seconds=_env_float("BENCH_EVENTS_LATENCY_SECONDS", 20.0 if full else 10.0),
            pika_messages=_env_int("BENCH_PIKA_MESSAGES", 10000 if full else 5000),
            sizes=_env_sizes("BENCH_SIZES", FULL_SIZES if full else QUICK_SIZES),
        )
        return s

    @classmethod
    def for_smoke(cls) -> Settings:
        """At most 1-2 s of load, tiny data: proves the code runs, measures nothing. A case stops
        after 25 requests (a generator saturates the cores for as long as it runs)."""
        return cls(
            mode="smoke",
            duration=1.0,
            connections=4,
            threads=1,
            workers=1,
            generator="python",
            max_requests=25,
            write_duration=1.0,
            write_connections=2,
            events_count=20,
            events_rate=20.0,
            events_latency_seconds=1.0,
            pika_messages=200,
            sizes=[(50, 200)],
            smoke=True,
        )


# -- result tables ------------------------------------------------------------------------------


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *row) -> None:
        self.rows.append(list(row))

    def render(self) -> str:
        cells = [[_fmt(c) for c in row] for row in self.rows]
        widths = [max([len(col)] + [len(r[i]) for r in cells]) for i, col in enumerate(self.columns)]
        line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths)) + " |"  # noqa: E731
        out = [
            f"### {self.title}",
            "",
            line(self.columns),
            "|" + "|".join("-" * (w + 2) for w in widths) + "|",
        ]
        out += [line(r) for r in cells]
        out += [""] + [f"- {n}" for n in self.notes] if self.notes else []
        return "\n".join(out) + "\n"

    def as_dict(self) -> dict:
        return {"title": self.title, "columns": self.columns, "rows": self.rows, "notes": self.notes}


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(value: float | None, ceiling: float | None) -> float | None:
    if not value or not ceiling:
        return None
    return round(value / ceiling, 3)


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(q / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def emit(table: Table, sink: list | None = None) -> Table:
    print(table.render(), flush=True)
    if sink is not None:
        sink.append(table)
    return table


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- the machine ----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = 0
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def write_results(tables: list[Table], path: str | None = None, extra: dict | None = None) -> str:
    path = path or os.path.join(REPO, "var", "bench", "last-run.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(
            {"machine": machine(), **(extra or {}), "tables": [t.as_dict() for t in tables]},
            fh,
            indent=1,
            default=str,
        )
    return path


def dump_logs(stack: Stack) -> None:
    """When a benchmark fails, the tail of every service log says why (the stack's var is removed after)."""
    for name in (
        "gateway",
        "training",
        "cic",
        "training_relay",
        "training_consumer",
        "cic_relay",
        "cic_consumer",
    ):
        tail = stack.read_log(name)[-1500:]
        if tail.strip():
            print(f"--- {name} log tail ---\n{tail}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def started(given: Stack | None, make: Callable[[], Stack], message: str) -> Iterator[Stack]:
    """The stack a benchmark measures: `given`, already started by the caller, who also stops it
    (the smoke tests share one between benchmarks), or else `make()`, started here and cleaned
    up after. Either way a failure prints the tail of every service log first."""
    stack = given if given is not None else make()
    try:
        if given is None:
            log(message)
            stack.start()
        yield stack
    except BaseException:
        dump_logs(stack)
        raise
    finally:
        if given is None:
            stack.cleanup()


# -- process memory (from /proc) -------------------------------------------------------------------


def session_pids(sid: int) -> list[int]:
    """Every live process of a session (Stack starts each service in its own session)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid:  # field 6 (session), after pid and (comm)
            pids.append(int(name))
    return sorted(pids)


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; PSS splits pages shared after fork, so it adds up."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def group_memory(sid: int) -> dict:
    """Memory of a process group: the count, total RSS, total PSS and the largest single RSS."""
    per = [memory_kib(p) for p in session_pids(sid)]
    per = [m for m in per if m[0]]
    return {
        "processes": len(per),
        "rss_kib": sum(m[0] for m in per),
        "pss_kib": sum(m[1] for m in per),
        "max_rss_kib": max((m[0] for m in per), default=0),
    }


# -- the ceiling ------------------------------------------------------------------------------------


def gunicorn_argv(app_spec: str, port: int, workers: int) -> list[str]:
    """The same gunicorn settings as tests/support/stack.py Stack.start_web (keep them identical)."""
    argv = [
        os.path.join(BIN, "gunicorn"),
        "--no-control-socket",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "2",
    ]
    if "--reuse-port" in STACK_WEB_FLAGS:
        argv.append("--reuse-port")
    return argv + [app_spec]


class Ceiling:
    """bench/ceiling_app.py under gunicorn: the most this stack can serve on this machine.
    `app_module="bench.ceiling_orm_app"` (with a `database_url`): the read-by-id ceiling;
    `app_module="bench.ceiling_proxy_app"` (with `upstream`, a URL): the bare forwarding hop."""

    def __init__(
        self,
        workers: int = 2,
        database_url: str | None = None,
        app_module: str = "bench.ceiling_app",
        upstream: str | None = None,
    ):
        self.port = free_port()
        self.workers = workers
        self.database_url = database_url
        self.app_module = app_module
        self.upstream = upstream
        self.proc: subprocess.Popen | None = None
        self.log = os.path.join(REPO, "var", "bench", f"ceiling-{self.port}.log")

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Ceiling:
        os.makedirs(os.path.dirname(self.log), exist_ok=True)
        env = dict(os.environ.items())
        env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
        if self.database_url:
            importlib.import_module(self.app_module).prepare(self.database_url)
            env["CEILING_DATABASE_URL"] = self.database_url
        if self.upstream:
            env["CEILING_UPSTREAM_URL"] = self.upstream
        self.proc = subprocess.Popen(
            gunicorn_argv(f"{self.app_module}:create_app()", self.port, self.workers),
            cwd=REPO,
            env=env,
            stdout=open(self.log, "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_http(self.url("/healthz"), proc=self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)
            self.proc = None
        try:
            os.remove(self.log)
        except OSError:
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_http(url: str, timeout: float = 30, proc: subprocess.Popen | None = None) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process serving {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


__all__ = [
    "Ceiling",
    "Settings",
    "Stack",
    "Table",
    "dump_logs",
    "emit",
    "group_memory",
    "log",
    "machine",
    "percentile",
    "ratio",
    "session_pids",
    "started",
    "write_results",
    "REPO",
]
