"""The benchmarks still run: each module's setup imports, starts real services and drives its load
generator for a moment (25 requests a case, at most a second), and prints a table with non-zero
counts. The read, write and memory benchmarks share one started SQLite stack. Nothing here times anything:
no threshold on a rate or a latency (those live in docs/performance.md, measured by `make bench`)."""

import pytest

from bench import events, memory, read_path, scale, targets, write_path
from bench.common import Ceiling, Settings, Stack
from bench.loadgen import check_local, run_get, wrk_available

pytestmark = pytest.mark.e2e


def _col(table, name):
    i = table.columns.index(name)
    return [row[i] for row in table.rows]


def test_load_generator_refuses_anything_but_loopback():
    with pytest.raises(ValueError):
        check_local("http://10.0.0.1:8000/")
    assert check_local("http://127.0.0.1:8000/") == ("127.0.0.1", 8000)


@pytest.mark.parametrize("generator", ["python", "wrk"])
def test_generators_against_the_ceiling_stop_by_themselves(generator):
    if generator == "wrk" and not wrk_available():
        pytest.skip("wrk is not installed (apt-get install -y wrk)")
    with Ceiling(workers=1) as ceiling:
        r = run_get(
            "ceiling",
            ceiling.url(),
            ["/json"],
            None,
            duration=1,
            connections=2,
            threads=1,
            generator=generator,
            max_requests=300,
        )
    assert r.requests > 0 and r.ok > 0 and r.errors == 0
    if generator == "python":
        assert r.requests <= 300  # the request bound holds as well as the deadline


@pytest.fixture(scope="class")
def sqlite_stack():
    """The SQLite stack, with relays and consumers, that the read, write and memory benchmarks
    would each start for themselves: started once for the three (full mode starts each its own)."""
    stack = Stack(workers=Settings.for_smoke().workers, consumers=True)
    try:
        stack.start()
        yield stack
    finally:
        stack.cleanup()


class TestOnOneSqliteStack:
    def test_read_path_bench_measures_ceiling_and_reads(self, sqlite_stack):
        [table] = read_path.run(Settings.for_smoke(), stack=sqlite_stack)
        requests = dict(
            zip([(r, v) for r, v in zip(_col(table, "read"), _col(table, "via"))], _col(table, "requests"))
        )
        assert requests[("ceiling: bare Flask JSON route", "direct")] > 0
        assert requests[("organisation", "gateway")] > 0 and requests[("organisation", "direct")] > 0
        assert requests[("catalogue", "gateway")] > 0
        # the hop's own ceiling: the by-id ceiling read through the bare proxy, and its share of direct
        assert requests[(read_path.BY_ID, "direct")] > 0 and requests[(read_path.PROXY, "proxy")] > 0
        hop_ceiling = targets.hop_ceiling([table])
        assert hop_ceiling is not None and hop_ceiling > 0
        assert targets.HOP_CEILING in [row[0] for row in targets.table([table]).rows]
        judged = {v.target: v.verdict for v in targets.read_path([table])}
        assert judged["P1 gateway hop, catalogue (gateway / direct)"] != targets.NOT_MEASURED
        assert judged["P1 gateway hop, organisation (gateway / direct)"] != targets.NOT_MEASURED
        assert judged["P2 organisation read, direct / bare GET-by-id"] != targets.NOT_MEASURED

    def test_write_path_bench_makes_purchases(self, sqlite_stack):
        [table] = write_path.run(Settings.for_smoke(), databases=("sqlite",), stack=sqlite_stack)
        ok = dict(zip(_col(table, "write"), _col(table, "ok")))
        assert ok["ceiling: bare one-row insert"] > 0
        assert ok[write_path.PROXY] > 0  # the write hop's own ceiling: the insert through the bare proxy
        assert targets.write_hop_ceilings([table])["sqlite"] > 0
        assert ok["organisation created"] > 0
        assert ok["licence purchase (starter)"] > 0
        judged = {v.target: v.verdict for v in targets.write_path([table])}
        assert judged["P4 organisation created, sqlite (x insert ceiling)"] != targets.NOT_MEASURED

    def test_memory_bench_reads_rss_of_every_process_group(self, sqlite_stack):
        table, procfile = memory.run(Settings.for_smoke(), stack=sqlite_stack)
        groups = dict(zip(_col(table, "process group"), _col(table, "peak RSS MiB")))
        for name in ("gateway", "training", "cic", "ceiling (bare Flask)"):
            assert groups[name] > 0
        # the `make run` topology: every Procfile line started and measured (the web ones preloaded,
        # one `flask worker` per service), and it answered the mixed reads and writes
        procfile_groups = dict(zip(_col(procfile, "process group"), _col(procfile, "peak RSS MiB")))
        for name in ("gateway", "training", "cic", "training_worker", "cic_worker", "gateway_worker", "mail"):
            assert procfile_groups[name] > 0
        assert all(v.verdict != targets.NOT_MEASURED for v in targets.memory([table, procfile]))


def test_events_bench_drains_the_outbox_through_rabbitmq():
    [table] = events.run(Settings.for_smoke())
    rows = {row[0]: row for row in table.rows}
    drained = rows["events/s, outbox drained to committed effect"]
    assert drained[1] and drained[1] > 0 and drained[2] > 0
    measured = rows["events measured (throughput / latency runs)"][1]
    assert all(int(n) > 0 for n in measured.split(" / "))
    assert all(v.verdict != targets.NOT_MEASURED for v in targets.events([table]))


def test_scale_bench_loads_data_and_reads():
    [table] = scale.run(Settings.for_smoke())
    reads = [r for r, rps in zip(_col(table, "read"), _col(table, "req/s")) if rps]
    assert "organisation" in reads and "ceiling: bare Flask JSON route" in reads


@pytest.mark.parametrize("transport", ["embedded", "amqp"])
def test_profile_events_applies_every_event_and_reports_cpu_and_statements(transport):
    """bench.profile_events on its own PostgreSQL database: it exits non-zero unless every
    purchase became a workspace and every outbox row was published."""
    import os
    import subprocess
    import sys

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = ["-n", "12", "--batch", "5", "--relay-batch", "5", "--top", "3", "--transport", transport]
    done = subprocess.run(
        [sys.executable, "-m", "bench.profile_events", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "=== consumer, batches of 5: 12 events" in done.stdout
    assert f"=== relay ({transport}), rounds of 5: 12 events" in done.stdout
    assert "SQL statements per event" in done.stdout and "cumulative" in done.stdout
