"""What the organisation read costs against its ceiling, in CPU, in one process (issue 18, P2).

`GET /api/v1/organisations/{id}` of training (an organisation like the benchmark's and
test_training_org_query_count's: Starter, CPD and Enhanced licences, a member with a seat, read by
its admin with a real hop token) and the bare Flask-SQLAlchemy + marshmallow GET-by-id of
bench/ceiling_orm_app.py, both on SQLite, both called N times through Flask's test client in the
same process and run, alternately in rounds so that a change in the machine's load touches both.
Prints CPU ms per request (`time.process_time`) for each and their ratio (ceiling CPU / read CPU:
the read's share of the ceiling's throughput when both are CPU-bound, as P2 measures it), then,
with --top K, cProfile of the organisation read.

Not a load test (bench.read_path is): it does not move with the other processes of a shared
machine as req/s does, which is why P2's work is judged by it.

    python -m bench.profile_reads [-n 300] [--rounds 3] [--top 30] [--sort cumulative|tottime]
    python -m bench.profile_reads --top 0        the two CPU figures and the ratio only
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
from .profile_writes import Counter, _app, _post


def _rich_org(app, db, client, keys) -> tuple[str, dict]:
    """The organisation read: Starter, CPD, Enhanced, one active member holding a seat (the
    Enhanced licence needs a Link professional in training: one pathway item, as the query-count
    test adds it). Returns its id and the admin's headers."""
    from training.models import PathwayItem

    admin = uuid.uuid4().hex
    email = f"profile-{admin[:8]}@example.org"
    h = {"Authorization": "Bearer " + keys.token(user_id=admin, email=email, ttl=36000)}
    org = _post(
        client,
        h,
        "/api/v1/organisations",
        {
            "name": "Fictional Profile Service",
            "kind": "other_service",
            "size_band": "medium",
            "link_contact_email": email,
            "senior_leadership_commitment": True,
        },
    )["id"]
    for lic in ("starter", "cpd"):
        _post(client, h, f"/api/v1/organisations/{org}/licences", {"type": lic})
    uid = uuid.uuid4().hex
    mh = {"Authorization": "Bearer " + keys.token(user_id=uid, email=f"{uid[:10]}@example.org", ttl=36000)}
    person = _post(
        client,
        mh,
        "/api/v1/people",
        {"name": "Fictional Link Trainee", "email": f"{uid[:10]}@example.org", "kind": "professional"},
    )
    m = _post(client, h, f"/api/v1/organisations/{org}/members", {"person_id": person["id"], "role": "staff"})
    _post(client, mh, f"/api/v1/memberships/{m['id']}/accept", {}, expect=200)
    with app.app_context():
        db.session.add(
            PathwayItem(
                person_id=person["id"], item="link_training", role="link", price=25000, organisation_id=org
            )
        )
        db.session.commit()
    _post(client, h, f"/api/v1/organisations/{org}/licences", {"type": "enhanced"})
    r = client.post(
        f"/api/v1/organisations/{org}/seats/assignments", json={"person_id": person["id"]}, headers=h
    )
    if r.status_code not in (200, 201):
        raise SystemExit(f"seat assignment -> {r.status_code}: {r.get_data(as_text=True)[:300]}")
    return org, h


def _ceiling(tmp: str):
    url = "sqlite:///" + os.path.join(tmp, "ceiling.db")
    os.environ["CEILING_DATABASE_URL"] = url
    from . import ceiling_orm_app

    ceiling_orm_app.prepare(url)
    return ceiling_orm_app.create_app(), ceiling_orm_app.row_id


def _get(client, path, headers=None):
    r = client.get(path, headers=headers)
    if r.status_code != 200:
        raise SystemExit(f"GET {path} -> {r.status_code}: {r.get_data(as_text=True)[:300]}")
    return r


def _cpu(n: int, call) -> float:
    """CPU ms per call over n calls."""
    c0 = time.process_time()
    for i in range(n):
        call(i)
    return 1000 * (time.process_time() - c0) / n


def main() -> None:
    from support.testing import KeyPair

    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=300, help="calls per side per round")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (the fastest is reported)")
    ap.add_argument("--top", type=int, default=30, help="cProfile lines of the organisation read (0: none)")
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--callers", default="", help="also print the callers of functions matching this")
    ap.add_argument("--callees", default="", help="also print what functions matching this call")
    ap.add_argument("--sql", action="store_true", help="print each statement of one organisation read")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="imatter-profile-reads-")
    keys = KeyPair()
    app, db = _app("sqlite:///" + os.path.join(tmp, "training.db"), keys, os.path.join(tmp, "events.db"))
    client = app.test_client()
    org, h = _rich_org(app, db, client, keys)
    with app.app_context():
        counter = Counter(db.engine, show=args.sql)
    ceiling_app, row_id = _ceiling(tmp)
    ceiling = ceiling_app.test_client()
    path = f"/api/v1/organisations/{org}"

    def read(_i):
        _get(client, path, h)

    def bare(i):
        _get(ceiling, f"/organisations/{row_id(i % 1000)}")

    for _ in range(30):  # warm: first-request imports, statement caches, the price book
        read(0)
        bare(0)
    before = counter.n
    read(0)
    statements = counter.n - before
    org_ms, ceiling_ms = [], []
    for _ in range(args.rounds):
        org_ms.append(_cpu(args.n, read))
        ceiling_ms.append(_cpu(args.n, bare))
    # the least disturbed round of each side: CPU time too grows when other processes share the
    # cores (caches, frequency), and a round can only be slowed by them, never sped up
    o, c = min(org_ms), min(ceiling_ms)
    load = os.getloadavg()
    print(
        f"organisation read  {o:6.2f} ms CPU per request (rounds: {', '.join(f'{x:.2f}' for x in org_ms)}); "
        f"{statements} SQL statements"
    )
    print(
        f"by-id ceiling      {c:6.2f} ms CPU per request (rounds: {', '.join(f'{x:.2f}' for x in ceiling_ms)})"
    )
    print(f"ratio (ceiling CPU / read CPU): {c / o:.2f}   (P2 target >= 0.5)")
    print(
        f"{args.n} calls x {args.rounds} rounds per side; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    if args.top or args.callers or args.callees:
        prof = cProfile.Profile()
        prof.enable()
        for i in range(args.n):
            bare(i)
        prof.disable()
        print(f"by-id ceiling: {pstats.Stats(prof).total_calls / args.n:,.0f} function calls per request")
        prof = cProfile.Profile()
        prof.enable()
        for i in range(args.n):
            read(i)
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        # function calls per request: what the profiler counts does not move with the machine's load
        print(f"organisation read: {stats.total_calls / args.n:,.0f} function calls per request")
        stats.sort_stats(args.sort).print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
        if args.callees:
            stats.print_callees(args.callees)
        print(out.getvalue())
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    sa.orm.close_all_sessions()


if __name__ == "__main__":
    main()
