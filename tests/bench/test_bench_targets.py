"""`make bench` ends with issue 18's targets judged from the run's own tables. These tests feed it
tables in the benchmarks' own column layouts (imported from the modules, so a renamed column fails
here) and check each verdict, both ways; the smoke tests check that a real run's rows are found."""

from bench import read_path, targets, write_path
from bench.common import Table


def _verdicts(tables):
    # a scale target names the size it was judged at: "P3 directory p50, ... at 1,000 orgs / ..."
    return {
        (v.target.split(" at ")[0] if v.target.startswith("P3") else v.target): v
        for v in targets.verdicts(tables)
    }


def _read_table(catalogue_hop, org_hop, org_rps, by_id_rps):
    t = Table("1. Read path (SQLite)", read_path.COLUMNS)
    t.add(
        targets.GET_BY_ID_CEILING + " (Flask-SQLAlchemy + marshmallow)",
        "direct",
        by_id_rps,
        1,
        2,
        10,
        0,
        0.5,
        None,
    )
    t.add("catalogue", "gateway", 500.0, 1, 2, 10, 0, 0.1, catalogue_hop)
    t.add("organisation", "gateway", 300.0, 1, 2, 10, 0, 0.1, org_hop)
    t.add("organisation", "direct", org_rps, 1, 2, 10, 0, 0.1, None)
    return t


def test_read_targets_are_met_or_not_by_their_ratio():
    v = _verdicts([_read_table(catalogue_hop=0.5, org_hop=0.79, org_rps=600.0, by_id_rps=1000.0)])
    assert v["P1 gateway hop, catalogue (gateway / direct)"].verdict == targets.MET
    assert v["P1 gateway hop, organisation (gateway / direct)"].verdict == targets.NOT_MET
    assert v["P1 gateway hop, directory (gateway / direct)"].verdict == targets.NOT_MEASURED
    assert v["P2 organisation read, direct / bare GET-by-id"].measured == 0.6
    assert v["P2 organisation read, direct / bare GET-by-id"].verdict == targets.MET
    v = _verdicts([_read_table(catalogue_hop=0.49, org_hop=0.8, org_rps=400.0, by_id_rps=1000.0)])
    assert v["P1 gateway hop, catalogue (gateway / direct)"].verdict == targets.NOT_MET
    assert v["P1 gateway hop, organisation (gateway / direct)"].verdict == targets.MET
    assert v["P2 organisation read, direct / bare GET-by-id"].verdict == targets.NOT_MET


def test_write_targets_need_both_the_share_and_the_tail():
    t = Table("2. Write path through the gateway", write_path.COLUMNS)
    t.add("organisation created", "sqlite", 300.0, 5, 150.0, 100, 100, 0, 0.3)
    t.add("licence purchase (starter)", "sqlite", 300.0, 5, 250.0, 100, 100, 0, 0.3)
    t.add("package purchase (type 1)", "postgresql", 100.0, 5, 50.0, 100, 100, 0, 0.1)
    v = _verdicts([t])
    assert v["P4 organisation created, sqlite (x insert ceiling)"].verdict == targets.MET
    assert v["P4 organisation created, sqlite p99 ms"].verdict == targets.MET
    assert v["P4 licence purchase (starter), sqlite p99 ms"].verdict == targets.NOT_MET
    assert v["P4 package purchase (type 1), postgresql (x insert ceiling)"].verdict == targets.NOT_MET
    assert v["P4 organisation created, postgresql (x insert ceiling)"].verdict == targets.NOT_MEASURED


def test_scale_compares_the_largest_size_with_the_smallest():
    cols = [
        "organisations",
        "learners",
        "read",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "x ceiling",
        "p50 / smallest",
    ]
    t = Table("4. Scale", cols)
    t.add("-", "-", "ceiling: bare Flask JSON route", 5000.0, 4, 9, 0, 1.0, None)
    for orgs, learners, directory in ((0, 0, 1.0), (1000, 10000, 3.0), (100000, 1000000, 1.4)):
        t.add(orgs, learners, "directory", 100.0, 50, 90, 0, 0.02, directory)
        t.add(orgs, learners, "catalogue", 100.0, 50, 90, 0, 0.02, 1.6 if learners else 1.0)
    v = _verdicts([t])
    assert v["P3 directory p50, largest / smallest size"].measured == 1.4
    assert v["P3 directory p50, largest / smallest size"].verdict == targets.MET
    assert v["P3 catalogue p50, largest / smallest size"].verdict == targets.NOT_MET
    assert v["P3 organisation p50, largest / smallest size"].verdict == targets.NOT_MEASURED


def test_events_and_memory_targets():
    t = Table("3. Event pipeline", ["measure", "pipeline", "raw pika (ceiling)", "x ceiling"])
    t.add("events/s, outbox drained to committed effect", 700.0, 1265.0, 0.55)
    t.add("p50 latency at 50/s, relay poll as configured, ms", 12.0, 1.8, 6.7)
    t.add("p99 latency at 50/s, relay poll as configured, ms", 120.0, 6.9, 17.0)
    t.add("p99 latency at 50/s, relay poll 0.05 s, ms", 20.0, 6.9, 2.9)  # not the default settings
    m = Table("5. Memory per process group", ["process group", "peak PSS MiB"])
    m.add("training", 600.0)
    m.add("gateway", 500.0)
    m.add("ceiling (bare Flask)", 80.0)
    v = _verdicts([t, m])
    assert v["P5 events, outbox to committed effect (x raw pika)"].verdict == targets.MET
    assert v["P5 p99 latency at 50 events/s, default settings, ms"].verdict == targets.NOT_MET
    assert v["Memory, make run's PSS at peak, MiB"].measured == 1100.0
    assert v["Memory, make run's PSS at peak, MiB"].verdict == targets.NOT_MET
    procfile = Table("5b. Memory of `make run`", ["process group", "peak PSS MiB"])
    procfile.add("training", 300.0)
    procfile.add("training_worker", 200.0)
    v = _verdicts([t, m, procfile])  # make run's own topology is what the target is about
    assert v["Memory, make run's PSS at peak, MiB"].measured == 500.0
    assert v["Memory, make run's PSS at peak, MiB"].verdict == targets.MET


def test_the_summary_table_counts_every_verdict():
    out = targets.table([])
    assert {row[3] for row in out.rows} == {targets.NOT_MEASURED}
    assert out.notes[0].endswith(f"{len(out.rows)} not measured")


def test_the_hops_own_ceiling_is_printed_beside_p1_and_judged_against_nothing():
    t = _read_table(catalogue_hop=0.5, org_hop=0.5, org_rps=600.0, by_id_rps=1000.0)
    t.add(read_path.PROXY, "proxy", 700.0, 1, 2, 10, 0, 0.1, 0.7, 0.7)
    out = targets.table([t])
    labels = [row[0] for row in out.rows]
    at = labels.index(targets.HOP_CEILING)
    assert labels[at - 1] == "P1 gateway hop, organisation (gateway / direct)"  # after the last P1 verdict
    assert out.rows[at][1:] == [0.7, "-", targets.CONTEXT]
    # not a verdict: P1's own rules and the counts are those of the table without it
    without = targets.table([_read_table(catalogue_hop=0.5, org_hop=0.5, org_rps=600.0, by_id_rps=1000.0)])
    assert [r for r in out.rows if r[0] != targets.HOP_CEILING] == without.rows
    assert out.notes[0] == without.notes[0]
    assert (
        targets.HOP_CEILING not in labels[: labels.index("P2 organisation read, direct / bare GET-by-id") - 1]
    )


def test_the_write_hops_own_ceiling_is_printed_beside_p4_and_judged_against_nothing():
    def writes(with_proxy: bool) -> Table:
        t = Table("2. Write path through the gateway", write_path.COLUMNS)
        t.add("ceiling: bare one-row insert", "sqlite", 1000.0, 1, 5, 10, 10, 0, 1.0)
        if with_proxy:
            t.add(write_path.PROXY, "sqlite", 400.0, 2, 9, 10, 10, 0, 0.4)
        t.add("organisation created", "sqlite", 300.0, 1, 50, 10, 10, 0, 0.3)
        return t

    out = targets.table([writes(True)])
    labels = [row[0] for row in out.rows]
    context = targets.WRITE_HOP_CEILING.format(database="sqlite")
    at = labels.index(context)
    assert labels[at - 1].startswith("P4 ") and not labels[at + 1].startswith("P4 ")  # after the last P4
    assert out.rows[at][1:] == [0.4, "-", targets.CONTEXT]
    # the proxy row is no write: P4's verdicts and the counts are those of the table without it
    without = targets.table([writes(False)])
    assert [r for r in out.rows if r[0] != context] == without.rows
    assert out.notes[0] == without.notes[0]
    assert targets.write_hop_ceilings([writes(True)]) == {"sqlite": 0.4}
