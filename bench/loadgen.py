"""Load generators that stay on 127.0.0.1 and stop by themselves.

* wrk (Debian's `wrk` package) for reads: C, cheap on the client side, so on a 2-core machine it
  leaves the most CPU to the server. Bounded by `-d` and, through a Lua script, a request count.
* A small Python generator (processes x threads, one keep-alive http.client connection each),
  bounded by a deadline and a shared request counter. Used for writes (each request may carry a
  different body) and wherever wrk is not installed.

Both answer a LoadResult with the same fields, so tables never care which one ran.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .common import percentile

ALLOWED_HOSTS = {"127.0.0.1", "localhost", "::1"}

# (method, path, body bytes or None, extra headers) for the n-th request (n counts from 1)
MakeRequest = Callable[[int], tuple]

WRK_MISSING = (
    "wrk is not installed: `apt-get install -y wrk` (Debian) for the C load generator; "
    "falling back to the Python generator (it spends more of the same CPU the server needs)."
)


@dataclass
class LoadResult:
    label: str
    generator: str
    requests: int = 0
    ok: int = 0  # 2xx and 3xx
    errors: int = 0  # other statuses and socket errors
    seconds: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    statuses: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def check_local(url: str) -> tuple[str, int]:
    """The network rule: load goes only to this machine's loopback."""
    parts = urlsplit(url)
    if parts.hostname not in ALLOWED_HOSTS:
        raise ValueError(f"refusing to load {parts.hostname!r}: benchmarks target 127.0.0.1 only")
    return parts.hostname, parts.port or 80


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def choose(generator: str) -> str:
    if generator == "auto":
        if wrk_available():
            return "wrk"
        print(WRK_MISSING, flush=True)
        return "python"
    if generator == "wrk" and not wrk_available():
        print(WRK_MISSING, flush=True)
        return "python"
    return generator


def run_get(
    label: str,
    base_url: str,
    paths: list[str],
    headers: dict | None,
    *,
    duration: float,
    connections: int,
    threads: int,
    generator: str = "auto",
    max_requests: int = 1_000_000,
) -> LoadResult:
    """GET the paths in turn for `duration` seconds (or `max_requests`), whichever ends first."""
    which = choose(generator)
    if which == "wrk":
        return _run_wrk(label, base_url, paths, headers or {}, duration, connections, threads, max_requests)
    hdrs = dict(headers or {})

    def make(n: int) -> tuple:
        return "GET", paths[n % len(paths)], None, hdrs

    return run_python(
        label,
        base_url,
        make,
        duration=duration,
        connections=connections,
        processes=threads,
        max_requests=max_requests,
    )


# -- wrk --------------------------------------------------------------------------------------------

_WRK_LUA = """
local paths = {%(paths)s}
local max_per_thread = %(max_per_thread)d
local i = 0
local seen = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
response = function(status, headers, body)
  seen = seen + 1
  if seen >= max_per_thread then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_RESULT {"requests": %%d, "duration_us": %%d, "status_errors": %%d, ' ..
    '"socket_errors": %%d, "p50_us": %%d, "p99_us": %%d}\\n', summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def _run_wrk(label, base_url, paths, headers, duration, connections, threads, max_requests) -> LoadResult:
    check_local(base_url)
    threads = max(1, min(threads, connections))
    lua = _WRK_LUA % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "max_per_thread": max(1, max_requests // threads),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
        script = fh.name
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, int(round(duration)))}s",
        "--timeout",
        "10s",
        "-s",
        script,
    ]
    for k, v in headers.items():
        argv += ["-H", f"{k}: {v}"]
    argv.append(base_url.rstrip("/") + paths[0])
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    finally:
        os.unlink(script)
    m = re.search(r"BENCH_RESULT (\{.*\})", out)
    if not m:
        raise RuntimeError(f"wrk gave no result:\n{out}")
    r = json.loads(m.group(1))
    errors = r["status_errors"] + r["socket_errors"]
    return LoadResult(
        label=label,
        generator="wrk",
        requests=r["requests"],
        ok=max(0, r["requests"] - r["status_errors"]),
        errors=errors,
        seconds=r["duration_us"] / 1e6,
        p50_ms=r["p50_us"] / 1000.0,
        p99_ms=r["p99_us"] / 1000.0,
    )


# -- python -----------------------------------------------------------------------------------------


def run_python(
    label: str,
    base_url: str,
    make: MakeRequest,
    *,
    duration: float,
    connections: int,
    processes: int = 2,
    max_requests: int = 1_000_000,
    rate: float | None = None,
) -> LoadResult:
    """`connections` keep-alive connections spread over `processes` processes (threads inside).

    With `rate` (requests/s over all connections) requests are paced on a fixed schedule instead
    of as fast as possible; latency is then measured from the scheduled start (no coordinated
    omission hiding a stall)."""
    host, port = check_local(base_url)
    processes = max(1, min(processes, connections))
    per_proc = [
        connections // processes + (1 if i < connections % processes else 0) for i in range(processes)
    ]
    ctx = mp.get_context("fork")  # `make` may be a closure: fork carries it over as it is
    counter = ctx.Value("q", 0)
    queue = ctx.Queue()
    start_at = time.monotonic() + 0.2
    deadline = start_at + duration
    procs = [
        ctx.Process(
            target=_proc_main,
            args=(
                host,
                port,
                make,
                n,
                start_at,
                deadline,
                counter,
                max_requests,
                queue,
                rate,
                connections,
                sum(per_proc[:i]),
            ),
            daemon=True,
        )
        for i, n in enumerate(per_proc)
    ]
    for p in procs:
        p.start()
    latencies = array("d")
    statuses: Counter = Counter()
    first = last = None
    for _ in procs:
        lat_bytes, st, t_first, t_last = queue.get(timeout=duration + 120)
        part = array("d")
        part.frombytes(lat_bytes)
        latencies.extend(part)
        statuses.update({int(k): v for k, v in st.items()})
        if t_first is not None:
            first = t_first if first is None else min(first, t_first)
            last = t_last if last is None else max(last, t_last)
    for p in procs:
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
    values = sorted(latencies)
    ok = sum(v for k, v in statuses.items() if 200 <= k < 400)
    total = sum(statuses.values())
    return LoadResult(
        label=label,
        generator="python",
        requests=total,
        ok=ok,
        errors=total - ok,
        seconds=(last - first) if first is not None and last > first else duration,
        p50_ms=_ms(percentile(values, 50)),
        p99_ms=_ms(percentile(values, 99)),
        statuses=dict(statuses),
    )


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000.0


def _proc_main(
    host,
    port,
    make,
    nthreads,
    start_at,
    deadline,
    counter,
    max_requests,
    queue,
    rate,
    total_conns,
    conn_offset,
):
    lock = threading.Lock()
    latencies = array("d")
    statuses: Counter = Counter()
    span = [None, None]

    def one_thread(slot: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        local_lat = array("d")
        local_st: Counter = Counter()
        t_first = t_last = None
        interval = (total_conns / rate) if rate else 0.0
        next_at = start_at + (slot * interval / total_conns if rate else 0.0)
        while True:
            now = time.monotonic()
            if rate:
                if next_at > now:
                    time.sleep(next_at - now)
                scheduled = next_at
                next_at += interval
            else:
                scheduled = None
                if now < start_at:
                    time.sleep(start_at - now)
            if time.monotonic() >= deadline:
                break
            with counter.get_lock():
                if counter.value >= max_requests:
                    break
                counter.value += 1
                n = counter.value
            method, path, body, headers = make(n)
            t0 = time.monotonic()
            try:
                conn.request(method, path, body=body, headers=headers or {})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=30)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            t1 = time.monotonic()
            local_lat.append(t1 - (scheduled if scheduled is not None else t0))
            local_st[status] += 1
            t_first = t0 if t_first is None else t_first
            t_last = t1
        conn.close()
        with lock:
            latencies.extend(local_lat)
            statuses.update(local_st)
            if t_first is not None:
                span[0] = t_first if span[0] is None else min(span[0], t_first)
                span[1] = t_last if span[1] is None else max(span[1], t_last)

    threads = [
        threading.Thread(target=one_thread, args=(conn_offset + i,), daemon=True) for i in range(nthreads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put((latencies.tobytes(), dict(statuses), span[0], span[1]))
