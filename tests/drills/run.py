"""The full reliability drill (`make drills`, by hand; results in docs/reliability.md).

    .venv/bin/python -m drills.run [--kills 20] [--soak-minutes 10] [--shared] [--out FILE]
    (PYTHONPATH=tests; `make drills` sets it)

1. Faults under a mixed load (3 clients): each relay and each consumer SIGKILLed `--kills` times
   at random points and restarted; the drill's broker connections closed; RabbitMQ stop_app /
   start_app; a gunicorn worker of each service SIGKILLed, and each whole service; PostgreSQL
   restarted; poison to each queue; each loop wedged (SIGSTOP) until its heartbeat goes stale;
   fund cycles in between. Then the invariants (tests/drills/checks.py).
2. A soak at a steady bounded load (2 clients, loopback) for `--soak-minutes`, sampling memory
   of every process and the connection counts each 15 s; then the invariants again, and no growth.

By default on a PostgreSQL cluster and RabbitMQ node of the drill's own (drills/infra.py), so the
broker stop and the database restart reach nothing else on the machine. `--shared` uses the
machine's own (pg_ctlcluster, rabbitmqctl): only on a machine given to the drill.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time

from drills import faults, scenario

SAMPLE_EVERY = 15.0


def machine() -> dict:
    with open("/proc/meminfo", encoding="ascii") as fh:
        mem_kib = int(fh.readline().split()[1])
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def fault_phase(stack, kills: int, rng: random.Random) -> dict:
    drill = scenario.Drill(stack, threads=3)
    drill.load.__enter__()
    plan = [
        ("kill", name) for name in ("training_relay", "cic_relay", "training_consumer", "cic_consumer")
    ] * kills
    plan += [("close", None)] * 3 + [("broker", None)] * 3 + [("pg", None)] * 3
    plan += [("worker", name) for name in ("gateway", "training", "cic")] * 2
    plan += [("service", name) for name in ("gateway", "training", "cic")] * 2
    plan += [("wedge", name) for name in ("training_relay", "cic_relay", "training_consumer", "cic_consumer")]
    rng.shuffle(plan)
    plan.insert(len(plan) // 2, ("poison", None))
    actions = {
        "kill": faults.kill_and_restart,
        "close": faults.close_broker_connections,
        "broker": faults.broker_outage,
        "pg": faults.database_restart,
        "worker": faults.kill_web_worker,
        "service": faults.kill_and_restart,
        "wedge": faults.wedge_caught,
        "poison": faults.poison,
    }
    cycles = 0
    for i, (kind, name) in enumerate(plan):
        drill.progress()
        time.sleep(rng.uniform(0, 1.5))  # a random point in the stream, not just after a sale
        args = (name,) if name else ()
        actions[kind](stack, *args, drill.record)
        print(f"[{i + 1}/{len(plan)}] {kind} {name or ''}", flush=True)
        if (i + 1) % 25 == 0 and cycles < 5:
            drill.fund(1)
            cycles += 1
    broken = drill.finish()
    return {**drill.summary(), "broken": broken, "fund_cycles": cycles}


def soak_phase(stack, minutes: float) -> dict:
    drill = scenario.Drill(stack, threads=2)
    samples = []
    end = time.monotonic() + minutes * 60
    with drill.load:
        while time.monotonic() < end:
            samples.append(
                {
                    "t": round(time.monotonic() - drill.started, 1),
                    "rss_mib": stack.rss_mib(),
                    "pg_connections": stack.pg_connections(),
                    "amqp_connections": stack.amqp_connections(),
                    "requests": len(drill.ledger.answers),
                }
            )
            time.sleep(SAMPLE_EVERY)
    broken = drill.finish()
    growth = _growth(samples)
    if (
        growth["rss_growth_mib"] > 50
        or growth["pg_connections_growth"] > 5
        or growth["amqp_connections_growth"] > 0
    ):
        broken.append(f"growth over the soak: {growth}")
    return {**drill.summary(), "broken": broken, "samples": samples, **growth}


def _growth(samples: list[dict]) -> dict:
    """Last third against the first third, after two minutes of warm-up (imports, pools, caches)."""
    warm = [s for s in samples if s["t"] >= 120] or samples
    k = max(1, len(warm) // 3)
    first, last = warm[:k], warm[-k:]

    def total(s):
        return sum(s["rss_mib"].values())

    return {
        "rss_total_first_mib": round(statistics.mean(map(total, first)), 1),
        "rss_total_last_mib": round(statistics.mean(map(total, last)), 1),
        "rss_growth_mib": round(statistics.mean(map(total, last)) - statistics.mean(map(total, first)), 1),
        "pg_connections_growth": max(s["pg_connections"] for s in last)
        - max(s["pg_connections"] for s in first),
        "amqp_connections_growth": max(s["amqp_connections"] for s in last)
        - max(s["amqp_connections"] for s in first),
        "requests_per_s": round(
            (warm[-1]["requests"] - warm[0]["requests"]) / max(1, warm[-1]["t"] - warm[0]["t"]), 1
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make drills", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs of each relay and consumer")
    parser.add_argument("--soak-minutes", type=float, default=10)
    parser.add_argument("--shared", action="store_true", help="the machine's PostgreSQL and RabbitMQ")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", default=None, help="JSON results (default var/drills/drill-<time>.json)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    started = time.monotonic()
    result = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seed": seed,
    }
    with scenario.infrastructure(shared=args.shared) as chosen:
        result["infrastructure"] = chosen.kind
        with scenario.running_system(chosen, workers=2) as stack:
            result["faults"] = fault_phase(stack, args.kills, random.Random(seed))
            print(json.dumps({k: v for k, v in result["faults"].items() if k != "faults"}), flush=True)
            if args.soak_minutes > 0:
                result["soak"] = soak_phase(stack, args.soak_minutes)
    result["wall_s"] = round(time.monotonic() - started, 1)
    out = args.out or os.path.join("var", "drills", f"drill-{result['date'][:19].replace(':', '')}.json")
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, default=str)
    broken = result["faults"]["broken"] + result.get("soak", {}).get("broken", [])
    print(f"results: {out}; wall {result['wall_s']} s; {'ALL HELD' if not broken else 'BROKEN:'}")
    for line in broken:
        print("  " + line)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
