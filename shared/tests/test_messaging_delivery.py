"""End to end between two stand-in services, on SQLite and PostgreSQL, over the embedded
transport and the real RabbitMQ: delivery, de-duplication, crashes, dead letters, replay,
refused publishes and relay replicas."""

from __future__ import annotations

import subprocess
import sys

from imatter_events_helpers import Recorder, running, wait_for
from imatter_events_testapp import new_key, subprocess_env

from imatter_shared.events.envelope import new_envelope
from imatter_shared.messaging.models import PENDING, PUBLISHED, utcnow
from imatter_shared.messaging.relay import RelayRound


def test_events_flow_both_ways_in_order_and_apply_once(pair):
    training, cic = pair.training, pair.cic
    cic_consumer, training_consumer = cic.consumer(), training.consumer()
    seen = Recorder(cic_consumer)
    cic_consumer.declare()
    training_consumer.declare()

    keys = [new_key("pk") for _ in range(30)]
    event_ids = [training.buy_package(k, tracker_uses=2) for k in keys]
    practica = [new_key("mp") for _ in range(5)]
    for k in practica:
        cic.complete_practicum(k, cases=3)

    with running(
        training.relay().run_forever,
        cic.relay().run_forever,
        cic_consumer.run_forever,
        training_consumer.run_forever,
    ):
        wait_for(
            lambda: len(cic.tallies()) == 30 and len(training.tallies()) == 5,
            30,
            "every event applied on both sides",
        )

    assert cic.tallies() == dict.fromkeys(keys, (1, 2))
    assert training.tallies() == dict.fromkeys(practica, (1, 3))
    assert seen.applied() == event_ids  # one relay, one consumer: outbox id order
    for service in (training, cic):
        assert {(r.state, r.times_sent) for r in service.outbox_rows()} == {(PUBLISHED, 1)}
    assert cic.count(cic.Inbox) == 30 and training.count(training.Inbox) == 5


def test_the_same_message_delivered_twice_has_one_effect(pair):
    training, cic = pair.training, pair.cic
    consumer = cic.consumer()
    seen = Recorder(consumer)
    consumer.declare()
    key = new_key("pk")
    training.buy_package(key)
    relay = training.relay()
    assert relay.run_once() == RelayRound(published=1)
    [row] = training.outbox_rows()
    relay.transport.publish(row.type, row.payload.encode(), message_id=row.event_id)  # as after a relay crash
    relay.transport.close()

    with running(consumer.run_forever):
        wait_for(lambda: seen.count("ack") == 2, 15, "both copies settled")

    assert seen.count("ack", "duplicate") == 1
    assert cic.tallies() == {key: (1, 1)}
    assert cic.count(cic.Inbox) == 1


CRASH_AFTER_COMMIT = """
import os, threading
import sqlalchemy as sa
from sqlalchemy.orm import Session
from imatter_events_testapp import service_from_env

service = service_from_env()

@sa.event.listens_for(Session, "after_commit")
def crash(session):
    os._exit(17)  # the handler's writes are committed; the ack never happens

service.consumer().run_forever(threading.Event())
"""


def test_consumer_killed_between_commit_and_ack_causes_no_double_effect(make_pair, backend, transport_kind):
    pair = make_pair(transport_kind, EVENTS_EMBEDDED_LEASE_SECONDS=1)
    training, cic = pair.training, pair.cic
    consumer = cic.consumer()
    consumer.declare()
    key = new_key("pk")
    training.buy_package(key, tracker_uses=4)
    assert training.relay().run_once().published == 1

    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_AFTER_COMMIT],
        env=subprocess_env(cic),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert crashed.returncode == 17, crashed.stderr[-2000:]
    assert cic.tallies() == {key: (1, 4)}  # applied and committed before the crash
    wait_for(
        lambda: consumer.transport.queue_counts(consumer.queue).ready == 1,
        10,
        "the unacknowledged message back in the queue",
    )

    seen = Recorder(consumer)
    with running(consumer.run_forever):
        wait_for(lambda: seen.count("ack", "duplicate") == 1, 15, "the redelivery acked as a duplicate")
    assert cic.tallies() == {key: (1, 4)}
    assert consumer.transport.queue_counts(consumer.queue).ready == 0


def test_poison_messages_are_dead_lettered_the_queue_keeps_moving_and_replay_redelivers(pair):
    training, cic = pair.training, pair.cic
    consumer = training.consumer()  # training consumes the closed cic.* schemas
    seen = Recorder(consumer)
    consumer.declare()
    publisher = cic.relay().transport
    key = "cic.practicum.completed"
    practicum = {
        "package_id": new_key("mp"),
        "practitioner_id": "p1",
        "cases_count": 3,
        "completed_at": "2026-11-22T10:00:00Z",
    }

    publisher.publish(key, b"{this is not json", message_id="malformed")
    unknown = new_envelope("cic.microproject.exploded", practicum, "cic-tracker", version=1)
    publisher.publish(key, unknown.to_json(), message_id=unknown.event_id)
    extra = new_envelope(
        key, {**practicum, "notes": "case notes that must never be stored"}, "cic-tracker", version=1
    )
    publisher.publish(key, extra.to_json(), message_id=extra.event_id)
    publisher.close()
    buggy, rejected, good = new_key("bug"), new_key("reject"), new_key("ok")
    training.faults["broken_keys"].add(buggy)
    for k in (buggy, rejected, good):
        cic.complete_practicum(k)
    assert cic.relay().run_once().published == 3

    dead = lambda: consumer.transport.queue_counts(consumer.queue).dead  # noqa: E731
    with running(consumer.run_forever):
        wait_for(lambda: good in training.tallies(), 15, "the good message handled behind the poison ones")
        wait_for(lambda: dead() == 5, 15, "five dead letters")
        assert seen.count("dead", "malformed envelope") == 1
        assert seen.count("dead", "unknown event type") == 1
        assert seen.count("dead", "schema") == 1
        assert seen.count("dead", "rejected by handler") == 1
        assert seen.count("dead", "delivery limit 3 reached") == 1  # the buggy one, after 3 tries
        assert seen.count("retry") == 2
        assert training.tallies() == {good: (1, 3)}  # nothing of the extra-field message stored

        training.faults["broken_keys"].clear()  # "deploy the fix"
        result = training.app.test_cli_runner().invoke(args=["events", "replay-dead-letters"])
        assert result.exit_code == 0, result.output
        assert "replayed 5" in result.output
        wait_for(lambda: buggy in training.tallies(), 15, "the fixed event applied after replay")
        wait_for(lambda: dead() == 4, 15, "the unfixable four dead again")

    assert training.tallies() == {good: (1, 3), buggy: (1, 3)}


def test_a_refused_publish_stays_pending_and_is_retried_with_backoff(pair):
    training, cic = pair.training, pair.cic
    key = new_key("pk")
    training.buy_package(key)
    relay = training.relay()
    before = utcnow()

    assert relay.run_once() == RelayRound(published=0, failed=1)  # no queue bound yet
    [row] = training.outbox_rows()
    assert (row.state, row.times_sent) == (PENDING, 1)
    assert "unroutable" in row.last_error
    assert row.next_attempt_at > before

    consumer = cic.consumer()
    consumer.declare()
    wait_for(lambda: relay.run_once().published == 1, 10, "the retry after the backoff")
    relay.transport.close()
    [row] = training.outbox_rows()
    assert (row.state, row.times_sent, row.last_error) == (PUBLISHED, 2, None)

    with running(consumer.run_forever):
        wait_for(lambda: cic.tallies() == {key: (1, 1)}, 10, "the event applied")


def test_relay_replicas_on_postgresql_publish_each_row_once(make_pair, transport_kind):
    # Several relays need row locks (FOR UPDATE SKIP LOCKED): PostgreSQL only; on SQLite run one.
    pair = make_pair(transport_kind, backend="postgresql", EVENTS_RELAY_BATCH_SIZE=5)
    training, cic = pair.training, pair.cic
    consumer = cic.consumer()
    seen = Recorder(consumer)
    consumer.declare()
    keys = [new_key("pk") for _ in range(120)]
    for k in keys:
        training.buy_package(k)

    with running(
        training.relay().run_forever,
        training.relay().run_forever,
        training.relay().run_forever,
        consumer.run_forever,
    ):
        wait_for(lambda: len(cic.tallies()) == 120, 30, "every event applied")

    assert {(r.state, r.times_sent) for r in training.outbox_rows()} == {(PUBLISHED, 1)}
    assert seen.count("ack", "duplicate") == 0  # no row was published twice
    assert set(cic.tallies().values()) == {(1, 1)}
