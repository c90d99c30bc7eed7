"""The real RabbitMQ going away: stopped outright, or every connection dropped mid-run.
Outbox writes never depend on the broker, and relay and consumer recover by themselves.

Each test runs a SQLite pair and a PostgreSQL pair side by side, so one outage (or one
connection drop) covers both databases and the shared broker is disturbed half as often.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from imatter_events_helpers import Recorder, broker_stopped, rabbitmqctl, running, wait_for
from imatter_events_testapp import new_key

from imatter_shared.messaging.models import PENDING, PUBLISHED

BACKENDS = ("sqlite", "postgresql")


def pairs_on_both_databases(make_pair):
    pairs = [make_pair("amqp", backend=backend) for backend in BACKENDS]
    loops, recorders = [], []
    for pair in pairs:
        consumer = pair.cic.consumer()
        recorders.append(Recorder(consumer))
        consumer.declare()
        loops += [pair.training.relay().run_forever, consumer.run_forever]
    return pairs, loops, recorders


@pytest.mark.broker_outage
def test_outbox_writes_commit_while_the_broker_is_down_and_are_delivered_once_after(make_pair):
    pairs, loops, recorders = pairs_on_both_databases(make_pair)
    keys = {id(pair): [new_key("pk") for _ in range(100)] for pair in pairs}

    with running(*loops):
        with broker_stopped():  # restarted in a finally, however the block ends
            for pair in pairs:
                for k in keys[id(pair)]:
                    pair.training.buy_package(k)  # one business transaction each
                assert pair.training.count(pair.training.Outbox, pair.training.Outbox.state == PENDING) == 100
        wait_for(
            lambda: all(len(p.cic.tallies()) == 100 for p in pairs),
            60,
            "all 100 events applied on both databases after the broker came back",
        )

    for pair, seen in zip(pairs, recorders):
        assert pair.cic.tallies() == dict.fromkeys(keys[id(pair)], (1, 1))
        assert pair.cic.count(pair.cic.Inbox) == 100
        assert {r.state for r in pair.training.outbox_rows()} == {PUBLISHED}
        assert seen.count("dead") == 0


def test_relay_and_consumer_resume_after_all_connections_are_closed(make_pair, caplog):
    pairs, loops, _ = pairs_on_both_databases(make_pair)
    vhost = pairs[0].vhost
    if vhost is None:
        pytest.skip("needs rabbitmqctl and a private vhost, so only this run's connections are closed")
    keys = {id(pair): [new_key("pk") for _ in range(100)] for pair in pairs}
    caplog.set_level(logging.INFO, logger="imatter.events")

    def write_slowly(pair) -> None:
        for k in keys[id(pair)]:
            pair.training.buy_package(k)
            time.sleep(0.02)

    with running(*loops):
        writers = [threading.Thread(target=write_slowly, args=(pair,)) for pair in pairs]
        for writer in writers:
            writer.start()
        wait_for(lambda: all(len(p.cic.tallies()) >= 10 for p in pairs), 20, "the runs under way")
        rabbitmqctl("close_all_connections", "--vhost", vhost, "test: dropped connections")
        for writer in writers:
            writer.join(timeout=30)
        wait_for(
            lambda: all(len(p.cic.tallies()) == 100 for p in pairs),
            10,
            "every event applied within 10 s of the drop",
        )

    for pair in pairs:
        assert pair.cic.tallies() == dict.fromkeys(keys[id(pair)], (1, 1))
        assert {r.state for r in pair.training.outbox_rows()} == {PUBLISHED}
    reconnects = [r for r in caplog.records if r.getMessage() == "consumer connected"]
    assert len(reconnects) >= 4, "the consumers never lost their connections: the drop did not happen"
