"""Build the transport, relay and consumer of a Flask service from its config.

| key                          | meaning                                               | default                |
|------------------------------|-------------------------------------------------------|------------------------|
| AMQP_URL                     | RabbitMQ URL; unset/empty selects the embedded one    | unset                  |
| EVENTS_EXCHANGE              | topic exchange                                        | imatter.events         |
| EVENTS_QUEUE                 | this service's durable queue                          | <SERVICE_NAME>.events  |
| EVENTS_EMBEDDED_PATH         | SQLite file of the embedded transport                 | var/events.db          |
| SERVICE_NAME                 | producer name in the envelope                         | (required)             |
| EVENTS_PREFETCH              | unacked messages a consumer holds (1-100)             | 20                     |
| EVENTS_CONSUMER_BATCH_SIZE   | deliveries applied per transaction (1-100), of those  | 20                     |
|                              | ready (no wait for more); <= EVENTS_PREFETCH to fill   |                        |
| EVENTS_MAX_DELIVERIES        | deliveries before a failing message is dead-lettered  | 10                     |
| EVENTS_RETRY_BASE_SECONDS    | first retry delay (relay and consumer), then doubled  | 1.0                    |
| EVENTS_RETRY_MAX_SECONDS     | cap of that delay                                     | 60                     |
| EVENTS_RECONNECT_MAX_SECONDS | cap of the reconnect delay after a broker outage      | 5                      |
| EVENTS_RELAY_BATCH_SIZE      | outbox rows per relay round                           | 100                    |
| EVENTS_RELAY_POLL_SECONDS    | relay's longest wait when the outbox is drained; a    | 0.5                    |
|                              | commit of an outbox row wakes it sooner (wakeup.py)   |                        |
| EVENTS_EMBEDDED_LEASE_SECONDS| embedded: how long a claimed message stays invisible  | 30                     |
| EVENTS_EMBEDDED_POLL_SECONDS | embedded: consumer pause when its queue is empty      | 0.2                    |
| EVENTS_HEARTBEAT_SECONDS     | AMQP heartbeat                                        | 30                     |
| EVENTS_QUEUE_SETTINGS        | `arguments`: the queue's delivery limit, dead-letter  | arguments              |
|                              | strategy and overflow are declared with it; `policy`: |                        |
|                              | the broker's policy sets them (definitions.json)      |                        |

With `arguments`, EVENTS_MAX_DELIVERIES becomes the queue's `x-delivery-limit`; RabbitMQ
refuses to redeclare a queue with other arguments, so change it (or EVENTS_QUEUE_SETTINGS)
only together with a new queue. With `policy`, the consumer still dead-letters a message
after EVENTS_MAX_DELIVERIES attempts itself, and the policy's limit is the broker's backstop,
changed with `rabbitmqctl set_policy` or definitions.json, no new queue (decision 0047).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from imatter_shared.messaging.consumer import Consumer, Handler
from imatter_shared.messaging.relay import Relay
from imatter_shared.messaging.transports import Transport


class EventsConfigError(ValueError):
    pass


# config key -> EventsConfig field (imatter_shared.config.EVENT_TUNING_KEYS reads them from the
# environment); the field's default is the key's default, its type the value's type
TUNING_FIELDS = {
    "EVENTS_PREFETCH": "prefetch",
    "EVENTS_CONSUMER_BATCH_SIZE": "consumer_batch_size",
    "EVENTS_MAX_DELIVERIES": "max_deliveries",
    "EVENTS_RETRY_BASE_SECONDS": "retry_base",
    "EVENTS_RETRY_MAX_SECONDS": "retry_max",
    "EVENTS_RECONNECT_MAX_SECONDS": "reconnect_max",
    "EVENTS_RELAY_BATCH_SIZE": "relay_batch_size",
    "EVENTS_RELAY_POLL_SECONDS": "relay_poll",
    "EVENTS_EMBEDDED_LEASE_SECONDS": "embedded_lease",
    "EVENTS_EMBEDDED_POLL_SECONDS": "embedded_poll",
    "EVENTS_HEARTBEAT_SECONDS": "heartbeat",
    "EVENTS_QUEUE_SETTINGS": "queue_settings",
}


@dataclass(frozen=True)
class EventsConfig:
    service_name: str | None
    amqp_url: str | None
    exchange: str = "imatter.events"
    queue: str | None = None
    embedded_path: str = "var/events.db"
    prefetch: int = 20
    consumer_batch_size: int = 20
    max_deliveries: int = 10
    retry_base: float = 1.0
    retry_max: float = 60.0
    reconnect_max: float = 5.0
    relay_batch_size: int = 100
    relay_poll: float = 0.5
    embedded_lease: float = 30.0
    embedded_poll: float = 0.2
    heartbeat: int = 30
    queue_settings: str = "arguments"

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> EventsConfig:
        """From an app's config; a tuning key it lacks keeps the field's default above."""
        service = config.get("SERVICE_NAME") or None
        queue = config.get("EVENTS_QUEUE") or (f"{service}.events" if service else None)
        tuning = {
            name: type(getattr(cls, name))(config[key])
            for key, name in TUNING_FIELDS.items()
            if key in config
        }
        made = cls(
            service_name=service,
            amqp_url=config.get("AMQP_URL") or None,
            exchange=config.get("EVENTS_EXCHANGE") or cls.exchange,
            queue=queue,
            embedded_path=config.get("EVENTS_EMBEDDED_PATH") or cls.embedded_path,
            **tuning,
        )
        # prefetch is the consumer's alone, and Consumer checks it
        if made.max_deliveries < 1:
            raise EventsConfigError("EVENTS_MAX_DELIVERIES must be at least 1")
        if made.queue_settings not in ("arguments", "policy"):
            raise EventsConfigError("EVENTS_QUEUE_SETTINGS must be arguments or policy")
        return made

    def require_queue(self) -> str:
        if not self.queue:
            raise EventsConfigError("set SERVICE_NAME (or EVENTS_QUEUE) to name this service's queue")
        return self.queue


def make_transport(cfg: EventsConfig) -> Transport:
    if cfg.amqp_url:
        # each transport is imported only by the processes that use it (pika opens no socket
        # on import, but the embedded mode of `make run` and the tests never need it)
        from imatter_shared.messaging.transports.amqp import AmqpTransport

        return AmqpTransport(
            cfg.amqp_url,
            cfg.exchange,
            max_deliveries=cfg.max_deliveries,
            heartbeat=cfg.heartbeat,
            reconnect_max=cfg.reconnect_max,
            client_name=cfg.service_name or "imatter",
            queue_settings=cfg.queue_settings,
        )
    from imatter_shared.messaging.transports.embedded import EmbeddedTransport  # as above

    return EmbeddedTransport(
        cfg.embedded_path,
        cfg.exchange,
        max_deliveries=cfg.max_deliveries,
        lease_seconds=cfg.embedded_lease,
        poll_seconds=cfg.embedded_poll,
    )


def flask_session_scope(app: Any, db: Any):
    """A factory of `with scope() as session:` blocks, each in a fresh app context, so the
    relay and consumer get a clean Flask-SQLAlchemy session per round / per message."""

    @contextmanager
    def scope() -> Iterator[Any]:
        with app.app_context():
            yield db.session

    return scope


def make_relay(app: Any, db: Any, OutboxModel: type, transport: Transport | None = None) -> Relay:
    cfg = EventsConfig.from_mapping(app.config)
    return Relay(
        flask_session_scope(app, db),
        OutboxModel,
        transport or make_transport(cfg),
        batch_size=cfg.relay_batch_size,
        retry_base=cfg.retry_base,
        retry_max=cfg.retry_max,
        reconnect_max=cfg.reconnect_max,
        poll_interval=cfg.relay_poll,
    )


def make_consumer(
    app: Any, db: Any, InboxModel: type, handlers: Mapping[str, Handler], transport: Transport | None = None
) -> Consumer:
    cfg = EventsConfig.from_mapping(app.config)
    return Consumer(
        flask_session_scope(app, db),
        InboxModel,
        handlers,
        transport or make_transport(cfg),
        cfg.require_queue(),
        prefetch=cfg.prefetch,
        batch_size=cfg.consumer_batch_size,
        max_deliveries=cfg.max_deliveries,
        retry_base=cfg.retry_base,
        retry_max=cfg.retry_max,
    )
