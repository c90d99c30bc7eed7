"""RabbitMQ transport (pika 1.4, BlockingConnection).

Topology, declared by each consuming service for its own queue:

    imatter.events (topic, durable) --routing key = event type--> <queue> (quorum)
    <queue> --dead letters--> imatter.events.dlx (direct) --key <queue>--> <queue>.dead

The queue has an explicit `x-delivery-limit` (RabbitMQ 3.10 sets none on quorum queues)
and at-least-once dead-lettering (which needs `x-overflow: reject-publish`), so a message
is never dropped on its way to the dead-letter queue. With `queue_settings="policy"`
(EVENTS_QUEUE_SETTINGS=policy) those three tunables come from the broker's policy instead
(deploy/rabbitmq/definitions.json), changeable without a new queue; the queue type and where
its dead letters go stay arguments, so a broker without the policy still dead-letters
(decision 0047).

pika connections are not thread-safe: the publisher keeps one connection per thread, and
the consumer's connection lives on the thread that runs `consume`; handler work runs on a
worker thread that applies what has arrived as one batch (one transaction) and settles the
messages through `add_callback_threadsafe` after the commit.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from typing import Any

import pika
from pika import exceptions as px

from imatter_shared import heartbeat
from imatter_shared.messaging.log import log
from imatter_shared.messaging.transports import (
    Backoff,
    BatchProcessor,
    Processor,
    Published,
    QueueCounts,
    Transport,
    TransportUnavailable,
    batches_of,
)
from imatter_shared.messaging.transports.amqp_confirms import ConfirmTracker
from imatter_shared.messaging.transports.amqp_worker import Worker

# Where the queue's tunables come from: its declare arguments, or the broker's policy.
QUEUE_SETTINGS = ("arguments", "policy")
# Anything that means "the connection or channel is gone": reconnect and carry on.
CONNECTION_ERRORS = (px.AMQPError, OSError, socket.timeout)
# The longest wait for the broker's confirms of one relay round before the connection is deemed lost.
CONFIRM_TIMEOUT = 30.0


class _NoReturnedBodies(logging.Filter):
    """pika logs the first 255 bytes of every returned (unroutable) message at WARNING;
    event payloads may carry case data, so that line never leaves the process."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Published message was returned")


logging.getLogger("pika.adapters.blocking_connection").addFilter(_NoReturnedBodies())


class _Publisher:
    def __init__(self, connection: pika.BlockingConnection, channel: Any, confirms: ConfirmTracker):
        self.connection, self.channel, self.confirms = connection, channel, confirms

    @property
    def usable(self) -> bool:
        return self.connection.is_open and self.channel.is_open


class AmqpTransport(Transport):
    name = "amqp"

    def __init__(
        self,
        url: str,
        exchange: str = "imatter.events",
        *,
        max_deliveries: int = 10,
        heartbeat: int = 30,
        reconnect_max: float = 5.0,
        client_name: str = "imatter",
        queue_settings: str = "arguments",
    ):
        if queue_settings not in QUEUE_SETTINGS:
            raise ValueError(f"queue_settings must be one of {QUEUE_SETTINGS}, not {queue_settings!r}")
        self.queue_settings = queue_settings
        self.url = url
        self.exchange = exchange
        self.dead_letter_exchange = f"{exchange}.dlx"
        self.max_deliveries = max_deliveries
        self.heartbeat = heartbeat
        self.reconnect_max = reconnect_max
        self.client_name = client_name
        self._local = threading.local()

    # -- connections ---------------------------------------------------------------------

    def connect(self, role: str) -> pika.BlockingConnection:
        params = pika.URLParameters(self.url)
        if "heartbeat" not in self.url:
            params.heartbeat = self.heartbeat
        if "blocked_connection_timeout" not in self.url:
            params.blocked_connection_timeout = 60
        if "socket_timeout" not in self.url:
            params.socket_timeout = 5
        params.connection_attempts = 1
        params.client_properties = {"connection_name": f"{self.client_name} {role} pid={os.getpid()}"}
        return pika.BlockingConnection(params)

    def _publisher(self) -> _Publisher:
        pub: _Publisher | None = getattr(self._local, "publisher", None)
        if pub is not None and pub.usable:
            return pub
        self.close()
        try:
            connection = self.connect("relay")
            channel = connection.channel()
            confirms = ConfirmTracker(connection, channel, CONFIRM_TIMEOUT)  # confirm mode, batched
            channel.exchange_declare(self.exchange, "topic", durable=True)
        except (TimeoutError, *CONNECTION_ERRORS) as exc:
            raise TransportUnavailable(f"cannot reach RabbitMQ: {exc!r}") from exc
        pub = self._local.publisher = _Publisher(connection, channel, confirms)
        return pub

    def close(self) -> None:
        pub: _Publisher | None = getattr(self._local, "publisher", None)
        self._local.publisher = None
        if pub is not None:
            _quietly_close(pub.connection)

    # -- publishing ----------------------------------------------------------------------

    def publish(self, routing_key: str, body: bytes, *, message_id: str) -> None:
        published = self.publish_many([(routing_key, body, message_id)])
        if published.lost is not None:
            raise published.lost
        if published.results[0] is not None:
            raise published.results[0]

    def publish_many(self, messages: Sequence[tuple[str, bytes, str]]) -> Published:
        """Every message written, then one wait for the broker's confirms (amqp_confirms.py)."""
        if not messages:
            return Published({})
        pub = self._publisher()
        batch = [
            (
                routing_key,
                body,
                pika.BasicProperties(
                    delivery_mode=pika.DeliveryMode.Persistent,
                    content_type="application/json",
                    message_id=message_id,
                    type=routing_key,
                ),
            )
            for routing_key, body, message_id in messages
        ]
        try:
            return Published(pub.confirms.publish(self.exchange, batch))
        except (TimeoutError, *CONNECTION_ERRORS) as exc:
            answered = dict(pub.confirms.settled)
            self.close()
            return Published(answered, TransportUnavailable(f"lost RabbitMQ while publishing: {exc!r}"))

    def idle(self, seconds: float) -> None:
        # A BlockingConnection only answers heartbeats while it does I/O, so idle in pika.
        pub: _Publisher | None = getattr(self._local, "publisher", None)
        if pub is None or not pub.usable:
            threading.Event().wait(seconds)
            return
        try:
            pub.connection.process_data_events(time_limit=seconds)
        except CONNECTION_ERRORS:
            self.close()

    # -- topology ------------------------------------------------------------------------

    def queue_arguments(self, queue: str) -> dict[str, Any]:
        topology = {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-routing-key": queue,
        }
        if self.queue_settings == "policy":
            return topology  # delivery-limit, dead-letter-strategy, overflow: the broker's policy
        return {
            **topology,
            "x-delivery-limit": self.max_deliveries,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }

    def _declare(self, channel: Any, queue: str, types: Iterable[str]) -> None:
        dead = f"{queue}.dead"
        channel.exchange_declare(self.exchange, "topic", durable=True)
        channel.exchange_declare(self.dead_letter_exchange, "direct", durable=True)
        channel.queue_declare(dead, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_bind(dead, self.dead_letter_exchange, routing_key=queue)
        channel.queue_declare(queue, durable=True, arguments=self.queue_arguments(queue))
        for event_type in sorted(set(types)):
            channel.queue_bind(queue, self.exchange, routing_key=event_type)

    def declare_queue(self, queue: str, types: Iterable[str]) -> None:
        connection = self._connect_or_raise("declare")
        try:
            self._declare(connection.channel(), queue, types)
        finally:
            _quietly_close(connection)

    def delete_topology(self, queue: str) -> None:
        """Remove a queue, its dead-letter queue and both exchanges (for tests)."""
        connection = self._connect_or_raise("cleanup")
        try:
            channel = connection.channel()
            for name in (queue, f"{queue}.dead"):
                channel.queue_delete(name)
            channel.exchange_delete(self.exchange)
            channel.exchange_delete(self.dead_letter_exchange)
        finally:
            _quietly_close(connection)

    def _connect_or_raise(self, role: str) -> pika.BlockingConnection:
        try:
            return self.connect(role)
        except CONNECTION_ERRORS as exc:
            raise TransportUnavailable(f"cannot reach RabbitMQ: {exc!r}") from exc

    # -- consuming -----------------------------------------------------------------------

    def consume(
        self,
        queue: str,
        types: Iterable[str],
        process: Processor,
        stop: threading.Event,
        *,
        prefetch: int,
        process_batch: BatchProcessor | None = None,
        batch_size: int = 1,
    ) -> None:
        process_batch = batches_of(process, process_batch)
        types = sorted(set(types))
        worker = Worker(process_batch, batch_size)
        worker.start()
        backoff = Backoff(0.25, self.reconnect_max)
        try:
            while not stop.is_set():
                try:
                    self._consume_connected(queue, types, worker, stop, prefetch, backoff)
                except CONNECTION_ERRORS as exc:
                    worker.generation += 1  # what is queued belongs to a dead channel
                    delay = backoff.next()
                    if isinstance(exc, px.ChannelClosedByBroker) and exc.reply_code in (403, 406):
                        # Not an outage: e.g. the queue exists with other arguments (was
                        # EVENTS_MAX_DELIVERIES or EVENTS_QUEUE_SETTINGS changed?) or the broker
                        # user lacks a permission.
                        log(
                            logging.ERROR,
                            "broker refused the consumer's topology",
                            queue=queue,
                            error=f"{exc.reply_code} {exc.reply_text}"[:300],
                            retry_in_s=round(delay, 2),
                        )
                    else:
                        heartbeat.beat("consumer")  # alive, waiting for the broker: not wedged
                        log(
                            logging.WARNING,
                            "consumer lost RabbitMQ; reconnecting",
                            queue=queue,
                            error=type(exc).__name__,
                            retry_in_s=round(delay, 2),
                        )
                    stop.wait(delay)
        finally:
            worker.stop()

    def _consume_connected(
        self,
        queue: str,
        types: list[str],
        worker: Worker,
        stop: threading.Event,
        prefetch: int,
        backoff: Backoff,
    ) -> None:
        connection = self.connect("consumer")
        try:
            channel = connection.channel()
            self._declare(channel, queue, types)
            channel.basic_qos(prefetch_count=prefetch)
            generation = worker.generation

            def on_message(ch: Any, method: Any, props: Any, body: bytes) -> None:
                headers = props.headers or {}
                attempt = int(headers.get("x-delivery-count", 0) or 0) + 1
                worker.submit(generation, connection, ch, method.delivery_tag, body, attempt)

            tag = channel.basic_consume(queue, on_message, auto_ack=False)
            backoff.reset()
            log(logging.INFO, "consumer connected", queue=queue, types=types, prefetch=prefetch)
            while not stop.is_set():
                # a batch that never returns keeps the beat at its start: it goes stale
                heartbeat.beat("consumer", worker.busy_since)
                connection.process_data_events(time_limit=0.25)
                if not channel.is_open:  # closed by the broker; the connection may live on
                    raise px.AMQPChannelError("consumer channel closed by the broker")
            # Graceful stop: take no more, let the current message finish and be settled.
            channel.basic_cancel(tag)
            worker.generation += 1
            deadline = time.monotonic() + 30  # a hung handler must not keep us from exiting
            while worker.busy() and time.monotonic() < deadline:
                connection.process_data_events(time_limit=0.05)
            connection.process_data_events(time_limit=0)
        finally:
            _quietly_close(connection)

    # -- dead letters ----------------------------------------------------------------------

    def replay_dead_letters(self, queue: str) -> int:
        connection = self._connect_or_raise("replay")
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            dead = f"{queue}.dead"
            waiting = channel.queue_declare(dead, passive=True).method.message_count
            replayed = 0
            for _ in range(waiting):  # only what is there now: a message that fails again stays put
                method, props, body = channel.basic_get(dead, auto_ack=False)
                if method is None:
                    break
                headers = {k: v for k, v in (props.headers or {}).items() if not k.startswith("x-")}
                fresh = pika.BasicProperties(
                    delivery_mode=pika.DeliveryMode.Persistent,
                    content_type=props.content_type,
                    message_id=props.message_id,
                    type=props.type,
                    headers=headers or None,
                )
                # Straight to this service's queue (default exchange), not to every subscriber.
                channel.basic_publish("", queue, body, fresh, mandatory=True)
                channel.basic_ack(method.delivery_tag)
                replayed += 1
            return replayed
        except px.ChannelClosedByBroker as exc:
            if exc.reply_code == 404:
                return 0
            raise
        finally:
            _quietly_close(connection)

    def queue_counts(self, queue: str) -> QueueCounts:
        connection = self._connect_or_raise("status")
        try:
            return QueueCounts(ready=_count(connection, queue), dead=_count(connection, f"{queue}.dead"))
        finally:
            _quietly_close(connection)

    def describe(self) -> str:
        params = pika.URLParameters(self.url)
        vhost = urllib.parse.quote(params.virtual_host, safe="")
        return f"amqp://{params.host}:{params.port}/{vhost} exchange={self.exchange}"


def _count(connection: pika.BlockingConnection, queue: str) -> int | None:
    channel = connection.channel()
    try:
        return channel.queue_declare(queue, passive=True).method.message_count
    except px.ChannelClosedByBroker as exc:
        if exc.reply_code == 404:
            return None
        raise
    finally:
        if channel.is_open:
            channel.close()


def _quietly_close(connection: pika.BlockingConnection) -> None:
    try:
        if connection.is_open:
            connection.close()
    except Exception:  # closing a half-dead connection may raise; it is gone either way
        pass
