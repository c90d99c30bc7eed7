"""The consumer applies a batch per transaction and acks after the commit, still exactly once;
the relay wakes on an outbox commit instead of waiting for its poll (docs/decisions/0033).

Real SQLite and PostgreSQL, real RabbitMQ and the embedded transport; no timing assertions:
the wake-up tests set a poll interval of an hour and only ask that the event arrives within a
generous deadline, which nothing but the wake-up can achieve.
"""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from imatter_events_helpers import Recorder, running, wait_for
from imatter_events_testapp import new_key, subprocess_env

from imatter_shared.events.envelope import new_envelope
from imatter_shared.messaging import wakeup
from imatter_shared.messaging.consumer import Consumer
from imatter_shared.messaging.models import PUBLISHED

HOUR = 3600


def purchase(key: str, uses: int = 1) -> bytes:
    data = {
        "package_id": key,
        "package_type": 1,
        "organisation_id": "org-1",
        "practitioner_id": "person-1",
        "tracker_uses": uses,
        "online_accounts": 1,
    }
    return new_envelope("training.package.purchased", data, producer="training", version=1).to_json()


def cic_engine(cic):
    with cic.app.app_context():
        return cic.db.engine


# -- one batch, one transaction ---------------------------------------------------------------------


def test_a_poison_event_in_a_batch_is_settled_alone_and_the_others_commit(make_pair, backend):
    cic = make_pair("embedded").cic
    consumer = cic.consumer()
    good, later = new_key("ok"), new_key("ok")
    buggy, rejected = new_key("bug"), new_key("reject")
    cic.faults["broken_keys"].add(buggy)
    good_body, buggy_body = purchase(good, 2), purchase(buggy)

    outcomes = consumer.process_batch(
        [
            (good_body, 1),
            (purchase(rejected), 1),  # the handler refuses it for good
            (b"{not json", 1),
            (buggy_body, 1),  # the handler raises: retried alone
            (purchase(later, 5), 1),
        ]
    )

    assert [o.action for o in outcomes] == ["ack", "dead", "dead", "retry", "ack"]
    assert "rejected by handler" in outcomes[1].reason
    assert "malformed envelope" in outcomes[2].reason
    assert "handler failed" in outcomes[3].reason
    assert cic.tallies() == {good: (1, 2), later: (1, 5)}
    assert cic.count(cic.Inbox) == 2  # no inbox row for what was not applied

    # on its last allowed delivery the failing event goes to the dead letters, the rest still commits
    again = consumer.process_batch([(buggy_body, 3), (good_body, 2)])
    assert [o.action for o in again] == ["dead", "ack"]
    assert "delivery limit 3 reached" in again[0].reason
    assert again[1].reason == "duplicate"
    assert cic.tallies() == {good: (1, 2), later: (1, 5)}


def test_a_duplicate_inside_one_batch_and_across_batches_is_applied_once(make_pair, backend):
    cic = make_pair("embedded").cic
    consumer = cic.consumer()
    first, second = purchase(new_key("pk"), 3), purchase(new_key("pk"), 4)

    inside = consumer.process_batch([(first, 1), (first, 2), (second, 1)])
    across = consumer.process_batch([(second, 2), (first, 3)])

    assert [(o.action, o.reason) for o in inside] == [("ack", ""), ("ack", "duplicate"), ("ack", "")]
    assert [(o.action, o.reason) for o in across] == [("ack", "duplicate"), ("ack", "duplicate")]
    assert sorted(cic.tallies().values()) == [(1, 3), (1, 4)]
    assert cic.count(cic.Inbox) == 2


def test_two_replicas_claiming_one_batch_at_once_apply_each_event_once(make_pair, backend):
    """The inbox rows of a batch are claimed by one INSERT ... ON CONFLICT DO NOTHING: a replica
    claiming the same events while the first one's transaction is open waits on the unique index
    and, once that commits, finds them taken (duplicates), with no rollback of its batch."""
    if backend != "postgresql":
        pytest.skip("waiting on another transaction's uncommitted row: PostgreSQL")
    cic = make_pair("embedded").cic
    first, second = cic.consumer(), cic.consumer()
    keys = [new_key("pk") for _ in range(3)]
    bodies = [(purchase(k, 2), 1) for k in keys]
    inside, release = threading.Event(), threading.Event()
    event_type = "training.package.purchased"
    handler = first.handlers[event_type]

    def held(session, envelope):  # the first replica stops inside its transaction, claims taken
        inside.set()
        assert release.wait(30)
        handler(session, envelope)

    first.handlers[event_type] = held
    results: dict[str, list] = {}

    def run(name, consumer):
        results[name] = consumer.process_batch(bodies)

    a = threading.Thread(target=run, args=("first", first))
    a.start()
    assert inside.wait(30)
    b = threading.Thread(target=run, args=("second", second))
    b.start()

    def second_waits_on_a_lock() -> bool:
        with cic_engine(cic).connect() as conn:
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO inbox_messages%'"
                )
            ).scalar()
        return bool(waiting)

    wait_for(second_waits_on_a_lock, 30, "the second replica waiting on the first one's inbox rows")
    release.set()
    a.join(30)
    b.join(30)

    assert [(o.action, o.reason) for o in results["first"]] == [("ack", "")] * 3
    assert [(o.action, o.reason) for o in results["second"]] == [("ack", "duplicate")] * 3
    assert cic.tallies() == dict.fromkeys(keys, (1, 2))
    assert cic.count(cic.Inbox) == 3


def test_a_refused_commit_applies_nothing_of_the_batch_and_retries_every_event(make_pair, backend):
    cic = make_pair("embedded").cic
    consumer = cic.consumer()
    bodies = [purchase(new_key("pk")) for _ in range(3)]

    def refuse(connection) -> None:  # the database refuses the COMMIT itself
        raise RuntimeError("commit refused (test)")

    engine = cic_engine(cic)
    sa.event.listen(engine, "commit", refuse)
    try:
        refused = consumer.process_batch([(b, 1) for b in bodies])
    finally:
        sa.event.remove(engine, "commit", refuse)

    assert [o.action for o in refused] == ["retry"] * 3
    assert all(o.reason.startswith("batch not committed: RuntimeError") for o in refused)
    assert cic.tallies() == {} and cic.count(cic.Inbox) == 0
    assert [o.action for o in consumer.process_batch([(b, 2) for b in bodies])] == ["ack"] * 3
    assert set(cic.tallies().values()) == {(1, 1)}


# -- through the transports: ack after commit ---------------------------------------------------------


def test_deliveries_are_acked_only_after_their_batch_commits(make_pair, backend, transport_kind):
    pair = make_pair(transport_kind)
    training, cic = pair.training, pair.cic
    consumer = cic.consumer()
    seen = Recorder(consumer)
    attempts: list[tuple[bytes, int]] = []
    recorded = consumer.process_batch

    def remember(deliveries):
        attempts.extend(deliveries)
        return recorded(deliveries)

    consumer.process_batch = remember
    consumer.declare()
    keys = [new_key("pk") for _ in range(12)]
    for k in keys:
        training.buy_package(k, tracker_uses=2)
    assert training.relay().run_once().published == 12

    refusals = {"left": 1}

    def refuse_first_commit(connection) -> None:  # the consumer's first COMMIT fails
        if refusals["left"]:
            refusals["left"] -= 1
            raise RuntimeError("commit refused (test)")

    engine = cic_engine(cic)
    sa.event.listen(engine, "commit", refuse_first_commit)
    try:
        with running(consumer.run_forever):
            wait_for(lambda: len(cic.tallies()) == 12, 30, "every event applied")
            wait_for(lambda: consumer.transport.queue_counts(consumer.queue).ready == 0, 15, "queue drained")
    finally:
        sa.event.remove(engine, "commit", refuse_first_commit)

    refused = [o for o in seen.outcomes if "batch not committed" in o.reason]
    assert refused and all(o.action == "retry" for o in refused)
    # what that batch held was never acked: the broker delivered it again (attempt 2)
    first_batch = seen.batches[0]
    first_bodies = {body for body, _ in attempts[:first_batch]}
    assert {body for body, attempt in attempts if attempt >= 2} >= first_bodies
    assert cic.tallies() == dict.fromkeys(keys, (1, 2))  # each applied exactly once
    assert cic.count(cic.Inbox) == 12


def test_a_backlog_is_applied_in_batches_in_order_and_once(make_pair, backend, transport_kind):
    pair = make_pair(transport_kind, EVENTS_CONSUMER_BATCH_SIZE=10)
    training, cic = pair.training, pair.cic
    consumer = cic.consumer()
    seen = Recorder(consumer)
    consumer.declare()
    keys = [new_key("pk") for _ in range(40)]
    event_ids = [training.buy_package(k) for k in keys]
    assert training.relay().run_once().published == 40

    with running(consumer.run_forever):
        wait_for(lambda: len(cic.tallies()) == 40, 30, "every event applied")

    assert max(seen.batches) > 1  # the backlog was ready: several deliveries per transaction
    assert max(seen.batches) <= 10
    assert seen.applied() == event_ids
    assert set(cic.tallies().values()) == {(1, 1)}


def test_batch_size_outside_1_to_100_is_refused(make_pair):
    cic = make_pair("embedded", backend="sqlite").cic
    for size in (0, 101):
        with pytest.raises(ValueError, match="EVENTS_CONSUMER_BATCH_SIZE"):
            Consumer(lambda: None, cic.Inbox, cic.handlers, None, "q", batch_size=size)


# -- the relay wakes on commit ------------------------------------------------------------------------

WRITE_IN_ANOTHER_PROCESS = """
import sys
from imatter_events_testapp import service_from_env
service_from_env().buy_package(sys.argv[1], tracker_uses=7)
"""


def test_the_relay_wakes_on_an_outbox_commit_not_on_its_poll(make_pair, backend, transport_kind):
    # The poll is an hour: an event committed while the relay idles arrives only through the
    # wake-up (PostgreSQL: NOTIFY from another process; SQLite: the signal of this process).
    pair = make_pair(transport_kind, EVENTS_RELAY_POLL_SECONDS=HOUR)
    training, cic = pair.training, pair.cic
    consumer = cic.consumer()
    consumer.declare()
    relay = training.relay()
    first, second = new_key("pk"), new_key("pk")
    training.buy_package(first)

    with running(relay.run_forever, consumer.run_forever):
        wait_for(lambda: first in cic.tallies(), 30, "the event waiting at start (first round)")
        if backend == "postgresql":
            wait_for(lambda: relay.listener and relay.listener.listening.is_set(), 30, "LISTEN in effect")
            written = subprocess.run(
                [sys.executable, "-c", WRITE_IN_ANOTHER_PROCESS, second],
                env=subprocess_env(training),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert written.returncode == 0, written.stderr[-2000:]
        else:
            training.buy_package(second, tracker_uses=7)
        wait_for(lambda: second in cic.tallies(), 60, "the event committed while the relay idled")

    assert cic.tallies() == {first: (1, 1), second: (1, 7)}
    assert {r.state for r in training.outbox_rows()} == {PUBLISHED}


def test_a_rolled_back_outbox_row_wakes_nobody(make_pair, backend):
    training = make_pair("embedded").training
    channel = wakeup.channel_for(training.Outbox)
    wake = wakeup.subscribe(channel)
    try:
        with pytest.raises(RuntimeError):
            training.buy_package(new_key("pk"), fail_before_commit=True)
        with training.app.app_context():
            training.db.session.rollback()
        assert not wake.is_set()
        training.buy_package(new_key("pk"))
        assert wake.is_set()
    finally:
        wakeup.unsubscribe(channel, wake)


def test_on_postgresql_the_notify_is_sent_after_the_commit_not_inside_it(make_pair, backend):
    """The writer's transaction runs no pg_notify (it would serialise every writer's commit behind
    PostgreSQL's notify-queue lock, decision 0065); the process's Notifier sends one after the
    commit, and nothing after a rollback."""
    if backend != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's")
    import psycopg

    training = make_pair("embedded").training
    channel = wakeup.channel_for(training.Outbox)
    with training.app.app_context():
        engine = training.db.engine
    statements: list[str] = []
    listen = lambda conn, cursor, statement, *a: statements.append(statement)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        with psycopg.connect(wakeup.libpq_url(engine.url), autocommit=True) as conn:
            conn.execute(f'LISTEN "{channel}"')
            with pytest.raises(RuntimeError):
                training.buy_package(new_key("pk"), fail_before_commit=True)
            with training.app.app_context():
                training.db.session.rollback()
            wakeup.Notifier.flush_all()
            assert list(conn.notifies(timeout=0.5, stop_after=1)) == []  # rolled back: no notification
            training.buy_package(new_key("pk"))
            heard = list(conn.notifies(timeout=30, stop_after=1))
            assert [n.channel for n in heard] == [channel]
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    assert statements and not any("pg_notify" in s for s in statements), statements
