"""The real RabbitMQ going away: stopped outright, or every connection dropped mid-run.
Outbox writes never depend on the broker, and relay and consumer recover by themselves."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from imatter_events_helpers import Recorder, broker_stopped, rabbitmqctl, running, wait_for
from imatter_events_testapp import new_key
from imatter_shared.messaging.models import PENDING, PUBLISHED


@pytest.mark.broker_outage
def test_outbox_writes_commit_while_the_broker_is_down_and_are_delivered_once_after(make_pair, backend):
    pair = make_pair("amqp")
    training, cic = pair.training, pair.cic
    consumer = cic.consumer()
    seen = Recorder(consumer)
    consumer.declare()
    keys = [new_key("pk") for _ in range(100)]

    with running(training.relay().run_forever, consumer.run_forever):
        with broker_stopped():  # restarted in a finally, however the block ends
            for k in keys:
                training.buy_package(k)  # one business transaction each
            assert training.count(training.Outbox, training.Outbox.state == PENDING) == 100
        wait_for(lambda: len(cic.tallies()) == 100, 60, "all 100 events applied after the broker came back")

    assert cic.tallies() == {k: (1, 1) for k in keys}
    assert cic.count(cic.Inbox) == 100
    assert {r.state for r in training.outbox_rows()} == {PUBLISHED}
    assert seen.count("dead") == 0


def test_relay_and_consumer_resume_after_all_connections_are_closed(make_pair, backend, caplog):
    pair = make_pair("amqp")
    if pair.vhost is None:
        pytest.skip("needs rabbitmqctl and a private vhost, so only this run's connections are closed")
    training, cic = pair.training, pair.cic
    consumer = cic.consumer()
    consumer.declare()
    keys = [new_key("pk") for _ in range(100)]
    caplog.set_level(logging.INFO, logger="imatter.events")

    def write_slowly() -> None:
        for k in keys:
            training.buy_package(k)
            time.sleep(0.02)

    with running(training.relay().run_forever, consumer.run_forever):
        writer = threading.Thread(target=write_slowly)
        writer.start()
        wait_for(lambda: len(cic.tallies()) >= 10, 15, "the run under way")
        rabbitmqctl("close_all_connections", "--vhost", pair.vhost, "test: dropped connections")
        writer.join(timeout=30)
        wait_for(lambda: len(cic.tallies()) == 100, 10, "every event applied within 10 s of the drop")

    assert cic.tallies() == {k: (1, 1) for k in keys}
    assert {r.state for r in training.outbox_rows()} == {PUBLISHED}
    reconnects = [r for r in caplog.records if r.getMessage() == "consumer connected"]
    assert len(reconnects) >= 2, "the consumer never lost its connection: the drop did not happen"
