"""Where a write's time goes inside training: the three writes of bench.write_path (organisation
created, Starter licence purchase, package purchase) run in one process through Flask's test client
with a hop token, as the gateway forwards them, under cProfile; prints CPU per request, SQL
statements per request and the functions that take the most cumulative time.

Not a load test (bench.write_path is): one thread, no gunicorn, no gateway. It shows what one
request costs and where, on SQLite or PostgreSQL.

    python -m bench.profile_writes [--database sqlite|postgresql] [-n 200] [--top 25] [--sql]
    python -m bench.profile_writes --top 0      CPU and statements per request, no profiler
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
import uuid

import sqlalchemy as sa

from .common import REPO  # noqa: F401  (puts tests/ on sys.path for support.testing)


def _app(url: str, keys, events_path: str):
    # imported here: the profiler must not pay for importing training at module load of run_all
    from training import create_app
    from training.extensions import db
    from training.seed import run_seed

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "JWT_PUBLIC_KEY": keys.public,
            "EVENTS_EMBEDDED_PATH": events_path,
            "ACCESS_LOG": False,
        }
    )
    with app.app_context():
        db.create_all()
        run_seed()
    return app, db


class Counter:
    def __init__(self, engine, show: bool = False):
        self.n, self.show = 0, show
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, *_a, **_k):
        self.n += 1
        if self.show:  # --sql: each statement's first line (no parameters: they are request data)
            print("   SQL", " ".join(statement.split())[:160])


def _post(client, headers, path, body, expect=201):
    r = client.post(path, json=body, headers=headers)
    if r.status_code != expect:
        raise SystemExit(f"POST {path} -> {r.status_code}: {r.get_data(as_text=True)[:300]}")
    return r.get_json()


def _measure(label, n, fn, counter, top, sort):
    fn(0)  # warm: first-request imports and caches are not what a steady write costs
    prof = cProfile.Profile()
    before, t0, c0 = counter.n, time.perf_counter(), time.process_time()
    if top:  # --top 0: CPU and statements only, without the profiler's own overhead
        prof.enable()
    for i in range(1, n + 1):
        fn(i)
    prof.disable()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if not top:
        print(
            f"=== {label}: {n} requests, {1000 * wall / n:.2f} ms wall, {1000 * cpu / n:.2f} ms CPU, "
            f"{(counter.n - before) / n:.1f} SQL statements per request (no profiler)"
        )
        return
    print(
        f"\n=== {label}: {n} requests, {1000 * wall / n:.2f} ms wall, {1000 * cpu / n:.2f} ms CPU, "
        f"{(counter.n - before) / n:.1f} SQL statements per request"
    )
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats(sort).print_stats(top)
    print(out.getvalue())


def main() -> None:
    # tests/support is importable once .common has put tests/ on sys.path
    from support.testing import KeyPair, create_postgres_database, drop_postgres_database

    ap = argparse.ArgumentParser()
    ap.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--only", default="organisation,licence,package")
    ap.add_argument("--sql", action="store_true", help="print each statement of the measured requests")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="imatter-profile-")
    url = (
        create_postgres_database("imatter_profile")
        if args.database == "postgresql"
        else "sqlite:///" + os.path.join(tmp, "training.db")
    )
    keys = KeyPair()
    try:
        app, db = _app(url, keys, os.path.join(tmp, "events.db"))
        user = uuid.uuid4().hex
        email = f"profile-{user[:8]}@example.org"
        h = {"Authorization": "Bearer " + keys.token(user_id=user, email=email, ttl=3600)}
        client = app.test_client()
        with app.app_context():
            counter = Counter(db.engine, show=args.sql)
        org = {
            "kind": "school",
            "size_band": "small",
            "senior_leadership_commitment": True,
            "name": "Fictional Profile School",
            "link_contact_email": email,
        }
        only = args.only.split(",")
        orgs: list[str] = []

        def create(i):
            orgs.append(_post(client, h, "/api/v1/organisations", org)["id"])

        if "organisation" in only or "licence" in only:
            _measure("organisation created", args.n, create, counter, args.top, args.sort)
        if "licence" in only:
            _measure(
                "licence purchase (starter)",
                args.n,
                lambda i: _post(client, h, f"/api/v1/organisations/{orgs[i]}/licences", {"type": "starter"}),
                counter,
                args.top,
                args.sort,
            )
        if "package" in only:
            oid = _post(client, h, "/api/v1/organisations", org)["id"]
            _post(client, h, f"/api/v1/organisations/{oid}/licences", {"type": "starter"})
            pid = _post(
                client,
                h,
                "/api/v1/people",
                {"name": "Fictional Practitioner", "email": email, "kind": "professional"},
            )["id"]
            _post(
                client, h, f"/api/v1/organisations/{oid}/members", {"person_id": pid, "role": "practitioner"}
            )
            _post(client, h, f"/api/v1/people/{pid}/pathways/lead/items", {"item": "deep_dive"})
            _post(client, h, f"/api/v1/organisations/{oid}/licences", {"type": "enhanced"})
            body = {"type": 1, "practitioner_id": pid, "funding": "organisation"}
            _measure(
                "package purchase (type 1)",
                args.n,
                lambda i: _post(client, h, f"/api/v1/organisations/{oid}/packages", body),
                counter,
                args.top,
                args.sort,
            )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if args.database == "postgresql":
            drop_postgres_database(url)


if __name__ == "__main__":
    main()
