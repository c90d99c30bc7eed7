"""Transport mechanics: the embedded broker's bindings, fan-out, leases, delivery limit and
replay; the RabbitMQ topology (quorum queue, delivery limit, at-least-once dead-lettering,
bindings = the handler map)."""

from __future__ import annotations

import json
import os
import threading
import time

import pika
import pytest
from imatter_events_helpers import can_rabbitmqctl, rabbitmqctl, wait_for

from imatter_shared.messaging.transports import Outcome, PublishFailed
from imatter_shared.messaging.transports.amqp import AmqpTransport
from imatter_shared.messaging.transports.embedded import EmbeddedTransport
from support.testing import unique_exchange

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def embedded(tmp_path):
    transport = EmbeddedTransport(
        str(tmp_path / "var" / "events.db"), "ex", max_deliveries=3, lease_seconds=0.3
    )
    yield transport
    transport.close()


def test_embedded_uses_wal_and_fans_out_to_every_bound_queue(embedded):
    embedded.declare_queue("a", ["t.one", "t.two"])
    embedded.declare_queue("b", ["t.one"])
    embedded.publish("t.one", b"1", message_id="m1")
    embedded.publish("t.two", b"2", message_id="m2")
    assert embedded._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [body for _, body, _ in embedded.claim("a", "me", 10)] == [b"1", b"2"]
    assert [body for _, body, _ in embedded.claim("b", "me", 10)] == [b"1"]


def test_embedded_refuses_an_unroutable_publish_like_a_mandatory_one(embedded):
    with pytest.raises(PublishFailed, match="unroutable"):
        embedded.publish("t.nobody", b"x", message_id="m")
    embedded.declare_queue("a", ["t.one"])
    embedded.declare_queue("a", ["t.two"])  # bindings follow the handler map: t.one is gone
    with pytest.raises(PublishFailed):
        embedded.publish("t.one", b"x", message_id="m")


def test_embedded_lease_hides_a_claimed_message_until_it_runs_out(embedded):
    embedded.declare_queue("a", ["t"])
    embedded.publish("t", b"x", message_id="m")
    [(first, _, attempt)] = embedded.claim("a", "consumer-1", 10)
    assert attempt == 1 and embedded.claim("a", "consumer-2", 10) == []
    time.sleep(0.35)  # consumer-1 died without settling
    [(again, _, attempt)] = embedded.claim("a", "consumer-2", 10)
    assert (again, attempt) == (first, 2)
    embedded.settle(again, "consumer-2", Outcome.ack())
    assert embedded.queue_counts("a").ready == 0


def test_embedded_retry_waits_then_dead_letters_past_the_limit_and_replays(embedded):
    embedded.declare_queue("a", ["t"])
    embedded.publish("t", b"x", message_id="m")
    [(mid, _, _)] = embedded.claim("a", "c", 10)
    embedded.settle(mid, "c", Outcome.retry(0.2, "boom"))
    assert embedded.claim("a", "c", 10) == []  # not before the delay
    wait_for(lambda: embedded.claim("a", "c", 10), 5, "the retry")
    time.sleep(0.35)  # lease of attempt 2 runs out (a crash); attempt 3 is the last one allowed
    [(_, _, attempt)] = wait_for(lambda: embedded.claim("a", "c", 10), 5, "attempt 3")
    assert attempt == 3
    time.sleep(0.35)
    assert embedded.claim("a", "c", 10) == []  # the crash loop ends in the dead-letter state
    assert embedded.queue_counts("a").dead == 1
    assert embedded.dead_letters("a") == [("m", "delivery limit reached")]
    assert embedded.replay_dead_letters("a") == 1
    assert [attempt for _, _, attempt in embedded.claim("a", "c", 10)] == [1]


def test_embedded_consume_loop_settles_and_stops(embedded):
    embedded.declare_queue("a", ["t"])
    for i in range(5):
        embedded.publish("t", str(i).encode(), message_id=str(i))
    seen: list[bytes] = []
    stop = threading.Event()

    def process(body: bytes, attempt: int) -> Outcome:
        seen.append(body)
        return Outcome.dead("poison") if body == b"3" else Outcome.ack()

    thread = threading.Thread(
        target=embedded.consume, args=("a", ["t"], process, stop), kwargs={"prefetch": 2}
    )
    thread.start()
    wait_for(lambda: len(seen) == 5, 10, "five deliveries")
    stop.set()
    thread.join(10)
    assert seen == [b"0", b"1", b"2", b"3", b"4"]
    assert (embedded.queue_counts("a").ready, embedded.queue_counts("a").dead) == (0, 1)


@pytest.fixture
def rabbit(amqp_vhost):
    url, vhost = amqp_vhost
    exchange = unique_exchange()
    transport = AmqpTransport(url, exchange, max_deliveries=7)
    queue = f"{exchange}.q"
    yield transport, queue, vhost
    transport.close()
    transport.delete_topology(queue)


def test_amqp_topology_quorum_queue_delivery_limit_dead_lettering_and_bindings(rabbit):
    transport, queue, vhost = rabbit
    if vhost is None or not can_rabbitmqctl():
        pytest.skip("inspecting the topology needs rabbitmqctl")
    transport.declare_queue(queue, ["cic.fund.awarded", "cic.practicum.completed"])
    transport.declare_queue(queue, ["cic.fund.awarded", "cic.practicum.completed"])  # idempotent

    listed = rabbitmqctl(
        "list_queues", "-p", vhost, "name", "type", "durable", "arguments", "--no-table-headers"
    ).stdout
    main = next(line for line in listed.splitlines() if line.startswith(queue + "\t"))
    dead = next(line for line in listed.splitlines() if line.startswith(queue + ".dead\t"))
    assert "\tquorum\ttrue\t" in main and "\tquorum\ttrue\t" in dead
    for argument in (
        '"x-delivery-limit",7',
        f'"x-dead-letter-exchange","{transport.exchange}.dlx"',
        '"x-dead-letter-strategy","at-least-once"',
        '"x-overflow","reject-publish"',
        f'"x-dead-letter-routing-key","{queue}"',
    ):
        assert argument in main.replace(" ", ""), (argument, main)

    bindings = rabbitmqctl(
        "list_bindings", "-p", vhost, "source_name", "destination_name", "routing_key", "--no-table-headers"
    ).stdout.splitlines()
    assert sorted(
        line.split("\t")[2]
        for line in bindings
        if line.startswith(transport.exchange + "\t") and f"\t{queue}\t" in line
    ) == ["cic.fund.awarded", "cic.practicum.completed"]
    assert f"{transport.exchange}.dlx\t{queue}.dead\t{queue}" in bindings

    exchanges = rabbitmqctl(
        "list_exchanges", "-p", vhost, "name", "type", "durable", "--no-table-headers"
    ).stdout
    assert f"{transport.exchange}\ttopic\ttrue" in exchanges


def test_amqp_publishes_persistent_confirmed_messages_and_refuses_unroutable_ones(rabbit):
    transport, queue, _ = rabbit
    transport.declare_queue(queue, ["cic.fund.awarded"])
    with pytest.raises(PublishFailed, match="unroutable"):
        transport.publish("cic.practicum.completed", b"{}", message_id="nobody-listens")
    transport.publish("cic.fund.awarded", b"{}", message_id="m-1")  # same connection, still usable

    connection = transport.connect("test")
    try:
        method, props, body = connection.channel().basic_get(queue, auto_ack=True)
    finally:
        connection.close()
    assert body == b"{}"
    assert (props.delivery_mode, props.message_id, props.type) == (
        pika.DeliveryMode.Persistent.value,
        "m-1",
        "cic.fund.awarded",
    )
    assert method.routing_key == "cic.fund.awarded"


def test_amqp_publishes_a_batch_with_one_confirm_wait_and_says_what_became_of_each(rabbit):
    """The relay's round: every message written, then one wait; an unroutable one in the middle
    is refused alone and the others are in the queue, in order."""
    transport, queue, _ = rabbit
    transport.declare_queue(queue, ["cic.fund.awarded"])
    batch = [("cic.fund.awarded", f"{{{i}}}".encode(), f"m-{i}") for i in range(5)]
    batch[2] = ("cic.practicum.completed", b"{}", "nobody-listens")

    sent = transport.publish_many(batch)

    assert sent.lost is None
    assert sorted(sent.results) == [0, 1, 2, 3, 4]
    assert isinstance(sent.results[2], PublishFailed) and "unroutable" in str(sent.results[2])
    assert [sent.results[i] for i in (0, 1, 3, 4)] == [None] * 4
    connection = transport.connect("test")
    try:
        channel = connection.channel()
        got = [channel.basic_get(queue, auto_ack=True)[1].message_id for _ in range(4)]
        assert channel.basic_get(queue, auto_ack=True)[0] is None
    finally:
        connection.close()
    assert got == ["m-0", "m-1", "m-3", "m-4"]
    assert transport.publish_many(batch[:2]).results == {0: None, 1: None}  # the connection is still usable


def test_amqp_queue_settings_by_the_brokers_policy_from_definitions_json(amqp_vhost):
    """EVENTS_QUEUE_SETTINGS=policy: the queue is declared with its type and dead-letter target
    only; deploy/rabbitmq/definitions.json's policy, set on this vhost, supplies the delivery limit,
    strategy and overflow, and a rejected message still reaches the dead-letter queue."""
    url, vhost = amqp_vhost
    if vhost is None or not can_rabbitmqctl():
        pytest.skip("setting a policy needs rabbitmqctl")
    with open(os.path.join(REPO, "deploy", "rabbitmq", "definitions.json"), encoding="utf-8") as fh:
        (policy,) = json.load(fh)["policies"]
    rabbitmqctl(
        "set_policy", "-p", vhost, "--apply-to", policy["apply-to"], "--priority", str(policy["priority"]),
        policy["name"], policy["pattern"], json.dumps(policy["definition"]),
    )  # fmt: skip
    exchange = unique_exchange()
    transport = AmqpTransport(url, exchange, queue_settings="policy")
    queue = f"{exchange}.events"
    try:
        transport.declare_queue(queue, ["cic.fund.awarded"])
        listed = rabbitmqctl(
            "list_queues", "-p", vhost, "name", "policy", "arguments", "--no-table-headers",
        ).stdout  # fmt: skip
        main = next(line for line in listed.splitlines() if line.startswith(queue + "\t")).replace(" ", "")
        assert f"\t{policy['name']}\t" in main, main  # the policy applies to the queue
        dead = next(line for line in listed.splitlines() if line.startswith(queue + ".dead\t"))
        assert policy["name"] not in dead
        assert '"x-delivery-limit"' not in main and '"x-overflow"' not in main
        transport.publish("cic.fund.awarded", b"{}", message_id="p-1")
        connection = transport.connect("test")
        try:
            channel = connection.channel()
            method, _, _ = channel.basic_get(queue, auto_ack=False)
            channel.basic_nack(method.delivery_tag, requeue=False)
        finally:
            connection.close()
        wait_for(lambda: transport.queue_counts(queue).dead == 1, 5, "the rejected message dead-lettered")
    finally:
        transport.close()
        transport.delete_topology(queue)


def test_queue_settings_are_arguments_by_default_and_only_arguments_or_policy():
    from imatter_shared.messaging.runtime import EventsConfig, EventsConfigError

    assert EventsConfig.from_mapping({"SERVICE_NAME": "training"}).queue_settings == "arguments"
    with pytest.raises(EventsConfigError, match="EVENTS_QUEUE_SETTINGS"):
        EventsConfig.from_mapping({"SERVICE_NAME": "training", "EVENTS_QUEUE_SETTINGS": "policies"})
    by_arguments = AmqpTransport("amqp://unused", "ex", max_deliveries=4).queue_arguments("q")
    by_policy = AmqpTransport("amqp://unused", "ex", queue_settings="policy").queue_arguments("q")
    assert by_arguments["x-delivery-limit"] == 4 and by_arguments["x-overflow"] == "reject-publish"
    assert by_policy == {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": "ex.dlx",
        "x-dead-letter-routing-key": "q",
    }
