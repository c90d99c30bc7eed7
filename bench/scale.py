"""4. Scale: the reads of bench 1 through the gateway with many organisations and learners already in
training's PostgreSQL database. Latency should stay flat as the tables grow; where it does not, the
cause (a missing index, COUNT(*) pagination, an N+1) shows here first.

The rows are bulk-inserted with SQLAlchemy core into the service's own tables after its migration
and before its processes start; every one is clearly fictional. Per organisation there is one admin
(a synthetic gateway user id); each learner is a person and a member of one organisation; 5% of
learners are certified Lead practitioners listed in the directory.

Sizes: BENCH_SIZES="orgs:learners,..." (quick default 100:1000,1000:10000,10000:100000, the smallest
already a full directory page; BENCH_MODE=full
adds 100000:1000000).

    python -m bench.scale
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from .common import Ceiling, Settings, Stack, Table, dump_logs, emit, log, ratio
from .fixtures import create_org, signed_up
from .read_path import measure_ceiling, measure_reads

CHUNK = 5000
LOCALITIES = ("Northtown", "Southvale", "Eastbridge", "Westmere", "Fictionshire")
DIRECTORY_SHARE = 20  # one learner in 20 is a certified, listed practitioner


def _chunks(n: int):
    for start in range(0, n, CHUNK):
        yield start, min(n, start + CHUNK)


def bulk_load(database_url: str, organisations: int, learners: int) -> float:
    """Insert the fictional organisations and learners; returns seconds taken."""
    from training.models import Membership, Organisation, OrganisationAdmin, Person
    from training.models.certification import Certification
    from training.models.directory import DirectoryCounter, DirectoryEntry

    t0 = time.monotonic()
    now = datetime.now(UTC).replace(tzinfo=None)
    engine = sa.create_engine(database_url)
    org_ids = [uuid.uuid4().hex for _ in range(organisations)]
    with engine.begin() as conn:
        for a, b in _chunks(organisations):
            conn.execute(
                sa.insert(Organisation.__table__),
                [
                    {
                        "id": org_ids[i],
                        "name": f"Fictional Bench School {i}",
                        "kind": "school",
                        "size_band": "small",
                        "link_contact_email": f"link{i}@bench.example",
                        "senior_leadership_commitment": True,
                        "created_by": f"bench-user-{i}",
                        "created_at": now,
                    }
                    for i in range(a, b)
                ],
            )
            conn.execute(
                sa.insert(OrganisationAdmin.__table__),
                [
                    {"organisation_id": org_ids[i], "user_id": f"bench-user-{i}", "created_at": now}
                    for i in range(a, b)
                ],
            )
    log(f"  {organisations} organisations in {time.monotonic() - t0:.1f}s")
    for a, b in _chunks(learners):
        people = [
            {
                "id": uuid.uuid4().hex,
                "name": f"Fictional Learner {i}",
                "email": f"learner{i}@bench.example",
                "kind": "professional",
                "created_at": now,
            }
            for i in range(a, b)
        ]
        with engine.begin() as conn:
            conn.execute(sa.insert(Person.__table__), people)
            if org_ids:
                conn.execute(
                    sa.insert(Membership.__table__),
                    [
                        {
                            "id": uuid.uuid4().hex,
                            "organisation_id": org_ids[(a + k) % len(org_ids)],
                            "person_id": p["id"],
                            "role": "staff",
                            "status": "active",
                            "created_at": now,
                        }
                        for k, p in enumerate(people)
                    ],
                )
            listed = [p for k, p in enumerate(people) if (a + k) % DIRECTORY_SHARE == 0]
            if listed:
                conn.execute(
                    sa.insert(Certification.__table__),
                    [
                        {
                            "id": uuid.uuid4().hex,
                            "person_id": p["id"],
                            "role": "lead",
                            "status": "current",
                            "certified_at": now - timedelta(days=30),
                            "created_at": now,
                        }
                        for p in listed
                    ],
                )
                conn.execute(
                    sa.insert(DirectoryEntry.__table__),
                    [
                        {
                            "id": uuid.uuid4().hex,
                            "person_id": p["id"],
                            "display_name": p["name"].replace("Learner", "Practitioner"),
                            "locality": LOCALITIES[k % len(LOCALITIES)],
                            "summary": "A fictional practitioner for benchmarks.",
                            "opted_in": True,
                            "eligible": True,
                            "opted_in_at": now,
                            "created_at": now,
                        }
                        for k, p in enumerate(listed)
                    ],
                )
                # the directory's maintained total (decision 0036), in the same transaction, as
                # the service itself keeps it: these entries are inserted listed
                conn.execute(
                    sa.update(DirectoryCounter.__table__)
                    .where(DirectoryCounter.scope == "listed")
                    .values(n=DirectoryCounter.n + len(listed), version=uuid.uuid4().hex)
                )
        if b % 100_000 == 0 or b == learners:
            log(f"  {b} learners ({time.monotonic() - t0:.0f}s)")
    # VACUUM as well as ANALYZE: a bulk load leaves every page without its visibility-map bit and
    # its rows without hint bits, and the insert-triggered autovacuum would then run during the
    # reads (the directory's p50 at the largest size was 1.61 x the smallest in one run,
    # 1.06-1.10 in the runs around it, 2026-11-29). A database in service has been vacuumed.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM (ANALYZE)"))
    engine.dispose()
    return time.monotonic() - t0


def run(s: Settings | None = None, sink: list | None = None) -> list[Table]:
    from support.testing import create_postgres_database, drop_postgres_database

    s = s or Settings.from_env()
    t = Table(
        f"4. Scale: reads through the gateway with data loaded (PostgreSQL, {s.workers} workers x 4 threads, "
        f"{s.connections} connections)",
        [
            "organisations",
            "learners",
            "read",
            "req/s",
            "p50 ms",
            "p99 ms",
            "errors",
            "x ceiling",
            "p50 / smallest",
        ],
    )
    first_p50: dict[str, float] = {}
    with Ceiling(s.workers) as ceiling:
        ceiling_r = measure_ceiling(ceiling, s)
    t.add(
        "-",
        "-",
        "ceiling: bare Flask JSON route",
        ceiling_r.rps,
        ceiling_r.p50_ms,
        ceiling_r.p99_ms,
        ceiling_r.errors,
        1.0,
        None,
    )
    for organisations, learners in s.sizes:
        urls = {
            name: create_postgres_database(f"imatter_bench_{name}") for name in ("training", "cic", "gateway")
        }
        # migrate with a throwaway Stack, load, then make the real one: a Stack picks its free ports
        # when made, and a long load gives other processes time to take them
        migrator = Stack(database_urls=urls)
        try:
            migrator.flask("training", "db", "upgrade")
        finally:
            migrator.cleanup()
        log(f"bulk load: {organisations} organisations, {learners} learners")
        took = bulk_load(urls["training"], organisations, learners)
        t.notes.append(f"{organisations:,} organisations / {learners:,} learners loaded in {took:.0f}s")
        stack = Stack(workers=s.workers, consumers=False, database_urls=urls)
        try:
            stack.start()
            user = signed_up(stack)
            org_id = create_org(user)
            results = measure_reads(stack, user, org_id, s, vias=("gateway",))
        except BaseException:
            dump_logs(stack)
            raise
        finally:
            stack.cleanup()
            for url in urls.values():
                drop_postgres_database(url)
        for (read, _via), r in results.items():
            if r.generator == "-":
                t.add(organisations, learners, r.label, None, None, None, None, None, None)
                continue
            first_p50.setdefault(read, r.p50_ms)
            t.add(
                organisations,
                learners,
                read,
                r.rps,
                r.p50_ms,
                r.p99_ms,
                r.errors,
                ratio(r.rps, ceiling_r.rps),
                ratio(r.p50_ms, first_p50[read]),
            )
    t.notes.append("p50 / smallest: median latency relative to the smallest size measured (flat is ~1)")
    emit(t)
    if sink is not None:
        sink.append(t)
    return [t]


if __name__ == "__main__":
    run()
