"""Transports move envelopes between services: RabbitMQ (amqp.py) or, when no broker is
configured, a SQLite file shared by the processes of one machine (embedded.py).

Both give the same semantics: publish is confirmed or raises; delivery is at least once;
a consumer settles each message as ack, retry (after a delay) or dead (to the
dead-letter queue, from where `replay_dead_letters` puts it back).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal


class TransportUnavailable(Exception):
    """The broker cannot be reached or the connection dropped: try the batch again later."""


class PublishFailed(Exception):
    """The broker refused this one message (nacked, or no queue bound for its type)."""


@dataclass(frozen=True)
class Outcome:
    action: Literal["ack", "retry", "dead"]
    reason: str = ""
    delay: float = 0.0

    @classmethod
    def ack(cls, reason: str = "") -> Outcome:
        return cls("ack", reason)

    @classmethod
    def retry(cls, delay: float, reason: str) -> Outcome:
        return cls("retry", reason, delay)

    @classmethod
    def dead(cls, reason: str) -> Outcome:
        return cls("dead", reason)


# process(body, attempt) -> Outcome; attempt is 1 on first delivery.
Processor = Callable[[bytes, int], Outcome]
# process_batch([(body, attempt), ...]) -> one Outcome per delivery, in order; it returns after
# its transaction committed, and the transport settles the deliveries only then.
BatchProcessor = Callable[[Sequence[tuple[bytes, int]]], list[Outcome]]


def batches_of(process: Processor, process_batch: BatchProcessor | None) -> BatchProcessor:
    """`process_batch`, or `process` applied to each delivery of a batch in turn."""
    if process_batch is not None:
        return process_batch
    return lambda deliveries: [process(body, attempt) for body, attempt in deliveries]


@dataclass(frozen=True)
class QueueCounts:
    ready: int | None
    dead: int | None


@dataclass
class Published:
    """Transport.publish_many's answer: index -> None (published) or PublishFailed, for the
    messages answered; `lost` when the broker went away before answering the others."""

    results: dict[int, PublishFailed | None]
    lost: TransportUnavailable | None = None


class Transport(ABC):
    name = "transport"

    @abstractmethod
    def publish(self, routing_key: str, body: bytes, *, message_id: str) -> None:
        """Return once the broker has the message durably; raise PublishFailed or
        TransportUnavailable otherwise."""

    def publish_many(self, messages: Sequence[tuple[str, bytes, str]]) -> Published:
        """Publish (routing_key, body, message_id) messages; what became of each, by index:
        None (the broker has it durably) or PublishFailed. When the broker is lost, only the
        messages answered before are in `results` and `lost` says why. By default one `publish`
        at a time; the AMQP transport writes them all and waits for the confirms once."""
        results: dict[int, PublishFailed | None] = {}
        for index, (routing_key, body, message_id) in enumerate(messages):
            try:
                self.publish(routing_key, body, message_id=message_id)
            except PublishFailed as exc:
                results[index] = exc
            except TransportUnavailable as exc:
                return Published(results, exc)
            else:
                results[index] = None
        return Published(results)

    def idle(self, seconds: float) -> None:
        """Wait while keeping any connection alive (heartbeats)."""
        threading.Event().wait(seconds)

    def close(self) -> None:
        """Close this thread's connections; the next call reconnects. Nothing to close by default."""
        return None

    @abstractmethod
    def declare_queue(self, queue: str, types: Iterable[str]) -> None:
        """Create the durable queue and its dead-letter queue; bind it to exactly `types`."""

    @abstractmethod
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
        """Deliver messages until `stop` is set, reconnecting as needed: to `process` one at a
        time, or, given `process_batch`, what is ready (up to `batch_size` at a time, without
        waiting for more) to it; each message is settled with its outcome after the call
        returned."""

    @abstractmethod
    def replay_dead_letters(self, queue: str) -> int:
        """Move what is in the dead-letter queue now back to `queue`; return how many."""

    @abstractmethod
    def queue_counts(self, queue: str) -> QueueCounts:
        """Messages waiting in the queue and in its dead-letter queue (None if unknown)."""

    def describe(self) -> str:
        return self.name


class Backoff:
    """Exponential delays: base, 2*base, 4*base ... capped at `cap`."""

    def __init__(self, base: float, cap: float):
        self.base, self.cap, self.failures = base, cap, 0

    def next(self) -> float:
        self.failures += 1
        return delay_for(self.failures, self.base, self.cap)

    def reset(self) -> None:
        self.failures = 0


def delay_for(attempt: int, base: float, cap: float) -> float:
    """Delay after the `attempt`-th failure (1-based)."""
    return min(cap, base * (2 ** max(0, min(attempt - 1, 30))))
