"""Run every benchmark in turn (`make bench`), print their tables and save them as JSON.

    python -m bench.run_all                 quick mode (a few minutes)
    python -m bench.run_all --full          adds 100k organisations / 1M learners, longer runs (< 15 min)
    python -m bench.run_all --only read_path,events

Settings come from BENCH_* environment variables (bench/common.py Settings); flags override them.
Every load goes to 127.0.0.1 only and stops by itself. Results: var/bench/last-run.json.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from . import targets
from .common import Settings, Table, emit, log, machine, write_results
from .loadgen import WRK_MISSING, wrk_available

BENCHES = ["read_path", "write_path", "events", "scale", "memory"]


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true", help="full mode: bigger sizes, longer runs")
    p.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(BENCHES))
    p.add_argument("--duration", type=float, help="seconds of load per read case")
    p.add_argument("--generator", choices=["auto", "wrk", "python"])
    p.add_argument("--sizes", help="scale sizes, e.g. 0:0,1000:10000")
    p.add_argument("--out", help="JSON results file (default var/bench/last-run.json)")
    args = p.parse_args(argv)

    s = Settings.from_env("full" if args.full else None)
    if args.duration:
        s.duration = s.write_duration = args.duration
    if args.generator:
        s.generator = args.generator
    if args.sizes:
        import os

        from .common import _env_sizes

        os.environ["BENCH_SIZES"] = args.sizes
        s.sizes = _env_sizes("BENCH_SIZES", args.sizes)
    chosen = [b.strip() for b in args.only.split(",") if b.strip()] or BENCHES
    unknown = sorted(set(chosen) - set(BENCHES))
    if unknown:
        p.error("unknown benchmark(s): " + ", ".join(unknown))

    m = machine()
    print(f"# I Matter benchmarks ({s.mode} mode)\n")
    print(
        f"{m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB; Python {m['python']}; "
        f"load average at start {loadavg()}\n",
        flush=True,
    )
    if not wrk_available():
        print(WRK_MISSING + "\n", flush=True)

    tables: list[Table] = []
    failures = []
    started = time.monotonic()
    for name in chosen:
        t0 = time.monotonic()
        log(f"=== {name} (load average {loadavg()})")
        try:
            module = importlib.import_module(f"bench.{name}")
            module.run(s, sink=tables)
        except BaseException as exc:  # one broken benchmark must not hide the others' results
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(name)
            t = Table(f"{name}: failed", ["error"])
            t.add(f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}")
            emit(t, tables)
            traceback.print_exc()
        log(f"=== {name} took {time.monotonic() - t0:.0f}s")
    emit(targets.table(tables), tables)  # every target with its ratio: met / not met / not measured
    path = write_results(
        tables,
        args.out,
        {"mode": s.mode, "seconds": round(time.monotonic() - started), "load_average_end": loadavg()},
    )
    print(f"\nAll done in {time.monotonic() - started:.0f}s; results saved to {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
