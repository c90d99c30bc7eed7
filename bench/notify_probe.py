"""What a NOTIFY inside a writing transaction costs PostgreSQL's concurrent commits (decision 0065).

PostgreSQL queues a transaction's notifications at commit under a database-wide lock, so writers
that NOTIFY commit one after the other (WAL flush included). This probe runs N connections that
insert a row and commit, as fast as they can for a few seconds, three ways: no NOTIFY, a
`pg_notify` inside the transaction (what the outbox did), and one in a transaction of its own
after the commit (what the Notifier of imatter_shared/messaging/wakeup.py does, off the request's
path). A throwaway database with synchronous_commit on, as in production.

    python -m bench.notify_probe [--connections 8] [--seconds 4]
"""

from __future__ import annotations

import argparse
import threading
import time

from .common import REPO  # noqa: F401  (puts tests/ on sys.path for support.testing)


def _rate(conninfo: str, mode: str, connections: int, seconds: float) -> float:
    import psycopg

    done = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def writer():
        n = 0
        with psycopg.connect(conninfo) as c:
            while time.monotonic() < deadline:
                c.execute("INSERT INTO probe_rows (v) VALUES ('x')")
                if mode == "inside":
                    c.execute("SELECT pg_notify('imatter_probe', '')")
                c.commit()
                if mode == "after":
                    c.execute("SELECT pg_notify('imatter_probe', '')")
                    c.commit()
                n += 1
        with lock:
            done[0] += n

    threads = [threading.Thread(target=writer) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / seconds


def main(argv: list[str] | None = None) -> int:
    import psycopg

    from support.testing import create_postgres_database, drop_postgres_database

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--seconds", type=float, default=4.0)
    args = p.parse_args(argv)
    url = create_postgres_database("imatter_bench_notify")
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(conninfo, autocommit=True) as c:
            c.execute(f'ALTER DATABASE "{conninfo.rsplit("/", 1)[1]}" SET synchronous_commit = on')
            c.execute("CREATE TABLE probe_rows (id serial PRIMARY KEY, v text)")
        print(f"| NOTIFY | commits/s, {args.connections} connections |")
        print("|---|---|")
        for mode in ("none", "inside", "after", "none", "inside", "after"):
            print(f"| {mode} | {_rate(conninfo, mode, args.connections, args.seconds):,.0f} |")
    finally:
        drop_postgres_database(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
