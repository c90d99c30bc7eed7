"""SQLite's write tail without the gateway: Starter licence purchases (or organisations created,
`--write organisation`) by 8 writers (2 processes x 4
threads, as 2 gunicorn workers x 4 threads) through training's app (Flask test client, the hop
token the gateway forwards) on one SQLite file; prints writes/s, p50/p99/max latency and, with
the writer queue, how many purchases had to wait for it (decision 0070).

`--no-queue` runs the same with SQLite's busy handler alone (the pysqlite connection without the
queue), so both can be compared in the same minutes: `--rounds 3` alternates them. Latency here
is training's alone; bench.write_path measures the same writes through the gateway under gunicorn.

    python -m bench.write_tail [--per-thread 60] [--rounds 1] [--no-queue | --both]
                               [--write licence|organisation]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import tempfile
import threading
import time
import uuid

from .common import REPO  # noqa: F401  (puts tests/ on sys.path for support.testing)

PROCESSES, THREADS = 2, 4
ORG = {"kind": "school", "size_band": "small", "senior_leadership_commitment": True}


def _app(url: str, public_key: str, events: str, queued: bool):
    # imported here: run_all must not pay for importing training when it does not run this
    from training import create_app

    config = {"SQLALCHEMY_DATABASE_URI": url, "JWT_PUBLIC_KEY": public_key}
    config |= {"EVENTS_EMBEDDED_PATH": events, "ACCESS_LOG": False}
    if not queued:  # the plain pysqlite connection: a writer that finds the lock taken polls
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"factory": sqlite3.Connection}}
    return create_app(config)


def _prepare(tmp: str, queued: bool, n_orgs: int):
    from support.testing import KeyPair  # tests/support, on sys.path through .common
    from training.extensions import db
    from training.seed import run_seed

    keys, user = KeyPair(), uuid.uuid4().hex
    email = f"tail-{user[:8]}@example.org"
    headers = {"Authorization": "Bearer " + keys.token(user_id=user, email=email, ttl=3600)}
    app = _app(
        "sqlite:///" + os.path.join(tmp, "training.db"), keys.public, os.path.join(tmp, "ev.db"), queued
    )
    with app.app_context():
        db.create_all()
        run_seed()
    client, orgs = app.test_client(), []
    for i in range(n_orgs):
        r = client.post(
            "/api/v1/organisations",
            json={**ORG, "name": f"Tail {i}", "link_contact_email": email},
            headers=headers,
        )
        assert r.status_code == 201, r.get_data(as_text=True)[:200]
        orgs.append(r.get_json()["id"])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no pooled connection crosses the fork (gunicorn's post_fork does the same)
    return app, headers, orgs, email


def _request(write: str, item: str, email: str) -> tuple[str, dict]:
    if write == "organisation":
        return "/api/v1/organisations", {**ORG, "name": f"Tail {item}", "link_contact_email": email}
    return f"/api/v1/organisations/{item}/licences", {"type": "starter"}


def _worker(app, headers, items, write, email, out) -> None:
    from imatter_shared.sqlite_writers import slot_for  # the child's own slot (after the fork)
    from training.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)
    times, errors = [], []

    def buy(mine: list[str]) -> None:
        client = app.test_client()
        for item in mine:
            path, body = _request(write, item, email)
            t0 = time.perf_counter()
            r = client.post(path, json=body, headers=headers)
            times.append(time.perf_counter() - t0)
            if r.status_code != 201:
                errors.append(r.status_code)

    threads = [threading.Thread(target=buy, args=(items[t::THREADS],)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        slot = slot_for(db.engine.url.database)
    out.put((times, errors, slot.waits if slot else 0, slot.wait_seconds if slot else 0.0))


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000


def run_once(queued: bool, per_thread: int, write: str = "licence") -> dict:
    tmp = tempfile.mkdtemp(prefix="imatter-write-tail-")
    n = PROCESSES * THREADS * per_thread
    app, headers, orgs, email = _prepare(tmp, queued, n if write == "licence" else 0)
    if write == "organisation":
        orgs = [str(i) for i in range(n)]
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    shares = [orgs[p::PROCESSES] for p in range(PROCESSES)]
    t0 = time.perf_counter()
    procs = [
        ctx.Process(target=_worker, args=(app, headers, shares[p], write, email, out))
        for p in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    times = [t for r in results for t in r[0]]
    return {
        "queue": "writer queue" if queued else "busy handler",
        "writes": len(times),
        "errors": sum(len(r[1]) for r in results),
        "writes/s": len(times) / wall,
        "p50 ms": _pct(times, 0.50),
        "p99 ms": _pct(times, 0.99),
        "max ms": max(times) * 1000,
        "queued": sum(r[2] for r in results),
        "queue wait ms (mean of those)": 1000
        * sum(r[3] for r in results)
        / max(1, sum(r[2] for r in results)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-thread", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-queue", action="store_true")
    ap.add_argument("--both", action="store_true", help="alternate the busy handler and the queue")
    ap.add_argument("--write", choices=("licence", "organisation"), default="licence")
    args = ap.parse_args()
    kinds = [False, True] if args.both else [not args.no_queue]
    print(f"load average at start: {os.getloadavg()}")
    for r in range(args.rounds):
        for queued in kinds:
            res = run_once(queued, args.per_thread, args.write)
            print(
                f"round {r + 1}: "
                + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in res.items()),
                f"(load {os.getloadavg()[0]:.2f})",
                flush=True,
            )


if __name__ == "__main__":
    main()
