"""2. Write path: organisations created, licence purchases and package purchases per second through
the gateway (each purchase is one transaction: order, lines, invoice, the licence or package and an
outbox row), on SQLite and on PostgreSQL, against a bare one-row insert under the same gunicorn
settings on the same database engine (the ceiling).

Relays and consumers are not running here (bench.events measures them): the outbox rows stay
pending, which is exactly the write a request pays for.

Every case, the ceilings included, is warmed first by WARM requests of its own kind that are not
measured: a freshly started stack's first writes open each worker's database connections and fill
its statement caches (on PostgreSQL the first run of organisation creations had a p99 of 215 ms
against 67-70 ms in the next two runs on the same stack, 2026-11-29), and P4 asks what a running
system does.

    python -m bench.write_path
"""

from __future__ import annotations

import functools
import json
import os
import tempfile

from .common import Ceiling, Settings, Stack, Table, emit, log, ratio, started
from .fixtures import create_org, signed_up
from .loadgen import LoadResult, run_python

WARM = 64  # requests per case before its measured run: 8 per connection at the default 8
COLUMNS = ["write", "database", "writes/s", "p50 ms", "p99 ms", "requests", "ok", "errors", "x ceiling"]
ORG_BODY = {"kind": "school", "size_band": "small", "senior_leadership_commitment": True}


class NotReady(Exception):
    """A step the write needs answered otherwise (an endpoint not there yet, a rule refusing)."""


def _post_maker(user, path_for, body: dict):
    headers = {
        "Authorization": f"Bearer {user.token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    raw = json.dumps(body).encode()

    def make(n: int):
        return "POST", path_for(n), raw, headers

    return make


def _expect(r, what: str, *codes: int):
    if r.status_code not in codes:
        raise NotReady(f"{what} -> HTTP {r.status_code}: {r.text[:240]}")
    return r.json() if r.content else {}


def package_ready_org(user, admin) -> tuple[str, str]:
    """An organisation that may buy packages for a practitioner: Starter licence, a member in
    training towards Lead (one Deep Dive booked), then the Enhanced Practice Licence."""
    org_id = create_org(user, size_band="small")
    _expect(
        user.post(f"/api/v1/organisations/{org_id}/licences", {"type": "starter"}), "starter licence", 201
    )
    person = _expect(
        user.post(
            "/api/v1/people", {"name": "Fictional Practitioner", "email": user.email, "kind": "professional"}
        ),
        "person",
        201,
    )
    pid = person["id"]
    _expect(
        user.post(f"/api/v1/organisations/{org_id}/members", {"person_id": pid, "role": "practitioner"}),
        "member",
        201,
    )
    booked = None
    for role, item in (("lead", "deep_dive"), ("link", "informed"), ("lead", "lead_training")):
        r = user.post(f"/api/v1/people/{pid}/pathways/{role}/items", {"item": item})
        if r.status_code == 201:
            booked = r
            break
    if booked is None:
        raise NotReady(
            f"no pathway item could be booked for the practitioner: {r.status_code} {r.text[:200]}"
        )
    _expect(
        user.post(f"/api/v1/organisations/{org_id}/licences", {"type": "enhanced"}), "enhanced licence", 201
    )
    _expect(
        user.post(
            f"/api/v1/organisations/{org_id}/packages",
            {"type": 1, "practitioner_id": pid, "funding": "organisation"},
        ),
        "first package",
        201,
    )
    return org_id, pid


def measure_writes(stack: Stack, s: Settings, database: str) -> list[tuple[str, LoadResult | str]]:
    out: list[tuple[str, LoadResult | str]] = []
    user = signed_up(stack, "Bench Writer")
    base = stack.url("gateway")
    cap = min(s.max_requests, 200 if s.smoke else 5000)

    log(f"[{database}] organisations created: up to {cap} in {s.write_duration:.0f}s")
    make = _post_maker(
        user,
        lambda n: "/api/v1/organisations",
        {**ORG_BODY, "name": "Fictional Bench Org", "link_contact_email": user.email},
    )
    _warm("organisations", base, make, s)
    out.append(
        (
            "organisation created",
            _load("organisations", base, make, s, max_requests=cap),
        )
    )
    org_ids = sorted(user.get("/api/v1/me").json().get("organisation_ids", []))
    warm = _warm_count(s)
    if len(org_ids) > warm:
        # one Starter each: the warm-up buys for the first organisations, the run for the rest
        warm_ids, org_ids = org_ids[:warm], org_ids[warm:]
        log(f"[{database}] starter licence purchases: {len(org_ids)} organisations, one each")
        _warm(
            "licences",
            base,
            _post_maker(
                user, lambda n: f"/api/v1/organisations/{warm_ids[n - 1]}/licences", {"type": "starter"}
            ),
            s,
        )
        make = _post_maker(
            user,
            lambda n: f"/api/v1/organisations/{org_ids[(n - 1) % len(org_ids)]}/licences",
            {"type": "starter"},
        )
        out.append(
            (
                "licence purchase (starter)",
                _load("licences", base, make, s, max_requests=len(org_ids)),
            )
        )
    else:
        out.append(
            ("licence purchase (starter)", f"not measured: /api/v1/me lists {len(org_ids)} organisations")
        )

    try:
        org_id, pid = package_ready_org(user, None)
    except NotReady as exc:
        out.append(("package purchase (type 1)", f"not measured: {exc}"))
    else:
        log(f"[{database}] package purchases for one practitioner in {s.write_duration:.0f}s")
        make = _post_maker(
            user,
            lambda n: f"/api/v1/organisations/{org_id}/packages",
            {"type": 1, "practitioner_id": pid, "funding": "organisation"},
        )
        _warm("packages", base, make, s)
        out.append(
            (
                "package purchase (type 1)",
                _load("packages", base, make, s),
            )
        )
    return out


PROXY = "ceiling: bare proxy -> bare insert"


def measure_ceiling(s: Settings, database_url: str) -> tuple[LoadResult, LoadResult]:
    """The bare one-row insert, then the same insert through a bare Flask app that only forwards
    (bench/ceiling_proxy_app.py, the gateway's pool settings): the write hop's own ceiling."""
    with Ceiling(s.workers, database_url=database_url) as ceiling:
        direct = _insert("insert", ceiling.url(), s)
        with Ceiling(s.workers, app_module="bench.ceiling_proxy_app", upstream=ceiling.url()) as proxy:
            log("bare proxy -> one-row insert")
            hop = _insert("proxy insert", proxy.url(), s)
    return direct, hop


def _insert(label: str, base: str, s: Settings) -> LoadResult:
    make = lambda n: ("POST", "/insert", b"", {})  # noqa: E731
    _warm(label, base, make, s)
    return _load(label, base, make, s)


def _warm_count(s: Settings) -> int:
    return 0 if s.smoke else WARM  # the smoke test checks that the bench runs, not its figures


def _warm(label: str, base: str, make, s: Settings) -> None:
    """_warm_count requests made by `make(n)` (n from 1), over the run's connections, not measured."""
    if _warm_count(s):
        _load(label + " (warm-up)", base, make, s, max_requests=_warm_count(s))


def _load(label: str, base: str, make, s: Settings, max_requests: int | None = None) -> LoadResult:
    """POSTs made by `make(n)` under the write settings (connections, processes, duration), at
    most `max_requests` (the run's own cap unless given: one licence per organisation)."""
    return run_python(
        label,
        base,
        make,
        duration=s.write_duration,
        connections=s.write_connections,
        processes=s.threads,
        max_requests=s.max_requests if max_requests is None else max_requests,
    )


def _pg_urls():
    from support.testing import create_postgres_database

    return {
        name: create_postgres_database(f"imatter_bench_{name}") for name in ("training", "cic", "gateway")
    }


def run(
    s: Settings | None = None,
    sink: list | None = None,
    databases=("sqlite", "postgresql"),
    stack: Stack | None = None,
) -> list[Table]:
    """`stack`: an already started SQLite stack for the sqlite writes (left running)."""
    from support.testing import create_postgres_database, drop_postgres_database

    s = s or Settings.from_env()
    t = Table(
        f"2. Write path through the gateway ({s.workers} gunicorn workers x 4 threads, "
        f"{s.write_connections} connections, python generator)",
        COLUMNS,
    )
    for database in databases:
        urls = _pg_urls() if database == "postgresql" else None
        tmp = tempfile.mkdtemp(prefix="imatter-bench-ceiling-")
        ceiling_url = (
            create_postgres_database("imatter_bench_ceiling")
            if database == "postgresql"
            else "sqlite:///" + os.path.join(tmp, "ceiling.db")
        )
        try:
            log(f"[{database}] write ceiling: one-row insert")
            ceiling, hop = measure_ceiling(s, ceiling_url)
            t.add(
                "ceiling: bare one-row insert",
                database,
                ceiling.rps,
                ceiling.p50_ms,
                ceiling.p99_ms,
                ceiling.requests,
                ceiling.ok,
                ceiling.errors,
                1.0,
            )
            t.add(
                PROXY,
                database,
                hop.rps,
                hop.p50_ms,
                hop.p99_ms,
                hop.requests,
                hop.ok,
                hop.errors,
                ratio(hop.rps, ceiling.rps),
            )
            given = stack if database == "sqlite" else None
            make = functools.partial(Stack, workers=s.workers, consumers=False, database_urls=urls)
            with started(given, make, f"[{database}] starting the stack") as running:
                for label, r in measure_writes(running, s, database):
                    if isinstance(r, str):
                        t.add(label, database, None, None, None, 0, 0, 0, None)
                        t.notes.append(f"{label} on {database}: {r}")
                    else:
                        t.add(
                            label,
                            database,
                            r.rps,
                            r.p50_ms,
                            r.p99_ms,
                            r.requests,
                            r.ok,
                            r.errors,
                            ratio(r.rps, ceiling.rps),
                        )
                        bad = {k: v for k, v in r.statuses.items() if not 200 <= k < 400}
                        if bad:
                            t.notes.append(f"{label} on {database}: non-2xx statuses {bad}")
        finally:
            if urls:
                for url in urls.values():
                    drop_postgres_database(url)
            if database == "postgresql":
                drop_postgres_database(ceiling_url)
    t.notes.append(
        "writes/s counts 2xx answers only; each purchase commits its order, invoice, licence or "
        "package and one outbox row in one transaction"
    )
    t.notes.append(
        "ceiling: bare proxy -> bare insert: the same insert through a bare Flask app that only "
        "forwards over a urllib3 pool (bench/ceiling_proxy_app.py); its x ceiling is the write hop's "
        "own ceiling, the most any write through one Flask + urllib3 hop keeps of the bare insert"
    )
    emit(t)
    if sink is not None:
        sink.append(t)
    return [t]


if __name__ == "__main__":
    run()
