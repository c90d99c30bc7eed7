"""1. Gateway read path: catalogue, organisation (authenticated) and directory reads through the
gateway with a real access token, and straight to the training service (the gateway hop's cost),
against a bare Flask JSON route under the same gunicorn settings (the ceiling), all in one run.
The organisation read is also compared with a second ceiling: a bare Flask-SQLAlchemy +
marshmallow GET of one row by id (bench/ceiling_orm_app.py, same gunicorn flags, SQLite). The hop
has a ceiling of its own: the same GET by id through a bare Flask app that only forwards over a
urllib3 pool (bench/ceiling_proxy_app.py), whose share of the by-id ceiling direct is what any
hop of this stack keeps at best (P1's 0.8 is judged on the gateway, not on this).

    python -m bench.read_path            (BENCH_* variables: see bench.common.Settings)
"""

from __future__ import annotations

import os

from .ceiling_orm_app import row_id
from .common import REPO, Ceiling, Settings, Stack, Table, emit, log, ratio, started
from .fixtures import create_org, probe, read_paths, signed_up
from .loadgen import LoadResult, run_get

COLUMNS = [
    "read",
    "via",
    "req/s",
    "p50 ms",
    "p99 ms",
    "requests",
    "errors",
    "x ceiling",
    "gateway / direct",
    "x by-id ceiling",
]
BY_ID = "ceiling: Flask-SQLAlchemy + marshmallow GET by id"
PROXY = "bare proxy -> by-id ceiling"


def measure_ceiling(ceiling: Ceiling, s: Settings, label: str = "bare Flask route") -> LoadResult:
    return _get(label, ceiling.url(), "/json", s)


def measure_by_id_ceiling(s: Settings) -> tuple[LoadResult, LoadResult]:
    """The read-by-id ceiling, started for this measurement only (its own SQLite file), read
    directly and then through the bare proxy (the hop's own ceiling) in front of it."""
    path = os.path.join(REPO, "var", "bench", "ceiling-by-id.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    with Ceiling(s.workers, database_url=f"sqlite:///{path}", app_module="bench.ceiling_orm_app") as by_id:
        log(f"read-by-id ceiling: {s.duration:.0f}s x {s.connections} connections")
        direct = _get_by_id(BY_ID, by_id.url(), s)
        with Ceiling(s.workers, app_module="bench.ceiling_proxy_app", upstream=by_id.url()) as proxy:
            log(f"bare proxy -> read-by-id ceiling: {s.duration:.0f}s x {s.connections} connections")
            hop = _get_by_id(PROXY, proxy.url(), s)
    return direct, hop


def _get_by_id(label: str, base: str, s: Settings) -> LoadResult:
    return _get(label, base, f"/organisations/{row_id(1)}", s)


def _get(label: str, base: str, path: str, s: Settings) -> LoadResult:
    """One unauthenticated GET of `path` under load, with the run's settings."""
    return run_get(
        label,
        base,
        [path],
        None,
        duration=s.duration,
        connections=s.connections,
        threads=s.threads,
        generator=s.generator,
        max_requests=s.max_requests,
    )


def measure_reads(stack: Stack, user, org_id: str | None, s: Settings, vias=("gateway", "direct")) -> dict:
    """{(read, via): LoadResult} for every read whose endpoint answers 200."""
    # the service itself takes only the gateway's hop token (what the gateway would forward)
    tokens = {"gateway": user.token, "direct": stack.hop_token(user.token)}
    bases = {"gateway": stack.url("gateway"), "direct": stack.url("training")}
    out = {}
    for read, paths in read_paths(org_id).items():
        for via in vias:
            headers = {"Authorization": f"Bearer {tokens[via]}", "Accept": "application/json"}
            status = probe(user, paths, bases[via], token=tokens[via])
            if status != 200:
                out[(read, via)] = LoadResult(label=f"{read} (HTTP {status}: not measured)", generator="-")
                continue
            log(f"read {read} via {via}: {s.duration:.0f}s x {s.connections} connections")
            out[(read, via)] = run_get(
                read,
                bases[via],
                paths,
                headers,
                duration=s.duration,
                connections=s.connections,
                threads=s.threads,
                generator=s.generator,
                max_requests=s.max_requests,
            )
    return out


def table(results: dict, ceiling_rps: float, title: str, by_id_rps: float | None = None) -> Table:
    t = Table(title, COLUMNS)
    for (read, via), r in results.items():
        direct = results.get((BY_ID if via == "proxy" else read, "direct"))
        hop = ratio(r.rps, direct.rps) if via in ("gateway", "proxy") and direct is not None else None
        by_id = ratio(r.rps, by_id_rps) if read in ("organisation", BY_ID, PROXY) else None
        t.add(
            r.label if r.generator == "-" else read,
            via,
            r.rps,
            r.p50_ms,
            r.p99_ms,
            r.requests,
            r.errors,
            ratio(r.rps, ceiling_rps),
            hop,
            by_id,
        )
    return t


def run(s: Settings | None = None, sink: list | None = None, stack: Stack | None = None) -> list[Table]:
    """`stack`: an already started SQLite stack to read from (left running), instead of a new one."""
    s = s or Settings.from_env()
    tables: list[Table] = []
    with Ceiling(s.workers) as ceiling:
        with started(
            stack, lambda: Stack(workers=s.workers, consumers=False), "starting the stack (SQLite)"
        ) as stack:
            user = signed_up(stack)
            org_id = create_org(user)
            before = measure_ceiling(ceiling, s)
            results = measure_reads(stack, user, org_id, s)
            after = measure_ceiling(ceiling, s)
            by_id, proxied = measure_by_id_ceiling(s)
    ceiling_rps = (before.rps + after.rps) / 2
    t = table(
        {
            ("ceiling: bare Flask JSON route", "direct"): before,
            (BY_ID, "direct"): by_id,
            (PROXY, "proxy"): proxied,
            **results,
        },
        ceiling_rps,
        f"1. Read path (SQLite, {s.workers} gunicorn workers x 4 threads, {s.connections} connections, "
        f"{before.generator})",
        by_id.rps,
    )
    t.rows[0][0] = "ceiling: bare Flask JSON route"
    t.rows[1][0] = BY_ID
    t.rows[2][0] = PROXY
    t.notes.append(
        f"ceiling measured before and after the reads: {before.rps:,.0f} and {after.rps:,.0f} req/s "
        f"(x ceiling uses their mean, {ceiling_rps:,.0f})"
    )
    t.notes.append(
        "gateway / direct: the share of the direct service's throughput left after the gateway hop "
        "(token check: signature, then one gateway-database query; forwarding over a urllib3 keep-alive pool; "
        "catalogue answers from the gateway's cache while fresh, decision 0034)"
    )
    t.notes.append(
        "x by-id ceiling: the organisation read against a bare Flask-SQLAlchemy + marshmallow GET of one "
        "row by id (bench/ceiling_orm_app.py, SQLite, same gunicorn flags), measured in the same run"
    )
    t.notes.append(
        "bare proxy -> by-id ceiling: the same GET by id through a bare Flask app that only forwards it over a "
        "urllib3 pool (bench/ceiling_proxy_app.py, the gateway's pool settings, same gunicorn flags); its "
        "'gateway / direct' is the hop's own ceiling, the most a hop of this stack keeps of a database read"
    )
    emit(t, tables)
    if sink is not None:
        sink.extend(tables)
    return tables


if __name__ == "__main__":
    run()
