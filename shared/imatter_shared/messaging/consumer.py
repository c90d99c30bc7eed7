"""Consume integration events: validate, de-duplicate, handle, commit, settle.

For each delivery `Consumer.process` decides one Outcome:

* the body is not an envelope, the type is unknown or not handled here, or the data fails
  its schema -> dead at once (retrying cannot fix it; a poison message never blocks the queue);
* the event_id is already in the inbox -> ack, no effect (at-least-once delivery);
* otherwise the inbox row and the handler's writes go into ONE transaction, committed by
  the consumer: a crash before the commit leaves nothing, a crash after it leaves an inbox
  row that turns the redelivery into a no-op;
* a handler exception -> rollback and retry after an exponential delay; on the last
  allowed delivery -> dead. A handler raises `Reject` to dead-letter at once.

The transport hands over what is ready in batches (`process_batch`, up to
EVENTS_CONSUMER_BATCH_SIZE): one transaction per batch, a savepoint per event (messaging/batch.py),
so a failing event is rolled back alone, and every delivery is settled only after the commit.

Handlers are `fn(session, envelope)`, never commit, and are listed in an explicit map:
    HANDLERS = {"cic.practicum.completed": on_practicum_completed}
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from imatter_shared.events import catalogue
from imatter_shared.events.envelope import Envelope, EnvelopeError
from imatter_shared.messaging import batch
from imatter_shared.messaging.log import describe_exception, log
from imatter_shared.messaging.transports import Outcome, Transport, delay_for

Handler = Callable[[Any, Envelope], None]
SessionScope = Callable[[], AbstractContextManager]


class Reject(Exception):
    """Raised by a handler for an event it can never apply: dead-letter it now, no retries."""


def check_handlers(handlers: Mapping[str, Handler]) -> None:
    """Fail fast on a handler map naming a type the catalogue does not know."""
    unknown = sorted(t for t in handlers if t not in catalogue.REGISTRY)
    if unknown:
        raise ValueError(f"handlers for unknown event types: {', '.join(unknown)}")
    not_callable = sorted(t for t, fn in handlers.items() if not callable(fn))
    if not_callable:
        raise ValueError(f"handlers that are not callable: {', '.join(not_callable)}")


class Consumer:
    def __init__(
        self,
        session_scope: SessionScope,
        InboxModel: type,
        handlers: Mapping[str, Handler],
        transport: Transport,
        queue: str,
        *,
        prefetch: int = 20,
        batch_size: int = 20,
        max_deliveries: int = 10,
        retry_base: float = 1.0,
        retry_max: float = 60.0,
    ):
        check_handlers(handlers)
        if not 1 <= int(prefetch) <= 100:
            raise ValueError("EVENTS_PREFETCH must be between 1 and 100")
        if not 1 <= int(batch_size) <= 100:
            raise ValueError("EVENTS_CONSUMER_BATCH_SIZE must be between 1 and 100")
        if int(max_deliveries) < 1:
            raise ValueError("EVENTS_MAX_DELIVERIES must be at least 1")
        self.session_scope = session_scope
        self.InboxModel = InboxModel
        self.handlers = dict(handlers)
        self.transport = transport
        self.queue = queue
        self.prefetch = int(prefetch)
        self.batch_size = int(batch_size)
        self.max_deliveries = int(max_deliveries)
        self.retry_base = retry_base
        self.retry_max = retry_max

    @property
    def types(self) -> list[str]:
        return sorted(self.handlers)

    def declare(self) -> None:
        """Create this service's queue and bindings now (consume also does it)."""
        self.transport.declare_queue(self.queue, self.types)

    def run_forever(self, stop: threading.Event) -> None:
        self.transport.consume(
            self.queue,
            self.types,
            self.process,
            stop,
            prefetch=self.prefetch,
            process_batch=self.process_batch,
            batch_size=self.batch_size,
        )

    # -- deliveries ----------------------------------------------------------------------------

    def process(self, body: bytes, attempt: int = 1) -> Outcome:
        """One delivery on its own (a batch of one)."""
        return self.process_batch([(body, attempt)])[0]

    def process_batch(self, deliveries: Sequence[tuple[bytes, int]]) -> list[Outcome]:
        """Decide every delivery of a batch, applying the valid ones in one transaction. Returns
        after the commit: the transport settles the deliveries only then."""
        outcomes: list[Outcome | None] = [None] * len(deliveries)
        envelopes: list[Envelope | None] = [None] * len(deliveries)
        valid: list[int] = []
        for i, (body, attempt) in enumerate(deliveries):
            envelope, outcome = self._parse(body)
            envelopes[i] = envelope
            if outcome is None:
                valid.append(i)
            else:
                outcomes[i] = outcome
                self._log(logging.WARNING, "event dead-lettered", envelope, attempt, outcome)
        if valid:
            results = batch.apply(
                self.session_scope, self.InboxModel, self.handlers, [envelopes[i] for i in valid]
            )
            message = {
                "ack": "event handled",
                "retry": "event will be retried",
                "dead": "event dead-lettered",
            }
            for i, result in zip(valid, results, strict=True):
                attempt = deliveries[i][1]
                outcome = outcomes[i] = self._outcome(result, attempt)
                level = logging.INFO if outcome.action == "ack" else logging.WARNING
                self._log(level, message[outcome.action], envelopes[i], attempt, outcome)
        return [o for o in outcomes if o is not None]

    def _outcome(self, result: batch.Result, attempt: int) -> Outcome:
        if result.kind == "applied":
            return Outcome.ack()
        if result.kind == "duplicate":
            return Outcome.ack("duplicate")
        exc = result.error
        if isinstance(exc, Reject):
            return Outcome.dead(f"rejected by handler: {describe_exception(exc)}")
        if result.kind == "not_committed":
            reason = f"batch not committed: {describe_exception(exc)}"
        else:
            reason = f"handler failed: {describe_exception(exc)}"
        if attempt >= self.max_deliveries:
            return Outcome.dead(f"{reason}; delivery limit {self.max_deliveries} reached")
        return Outcome.retry(delay_for(attempt, self.retry_base, self.retry_max), reason)

    def _parse(self, body: bytes) -> tuple[Envelope | None, Outcome | None]:
        try:
            envelope = Envelope.from_json(body)
        except EnvelopeError as exc:
            return None, Outcome.dead(f"malformed envelope: {exc}")
        spec = catalogue.REGISTRY.get(envelope.type)
        if spec is None:
            return envelope, Outcome.dead("unknown event type")
        if envelope.type not in self.handlers:
            return envelope, Outcome.dead("event type not handled by this consumer")
        if envelope.version != spec.version:
            return envelope, Outcome.dead(f"unsupported version {envelope.version} (expected {spec.version})")
        if envelope.producer != spec.producer:
            return envelope, Outcome.dead(f"producer {envelope.producer!r} may not emit this type")
        try:
            data = catalogue.validate(envelope.type, envelope.data)
        except catalogue.EventValidationError as exc:
            return envelope, Outcome.dead(f"schema: {exc}")
        return dataclasses.replace(envelope, data=data), None

    def _log(
        self, level: int, message: str, envelope: Envelope | None, attempt: int, outcome: Outcome
    ) -> None:
        fields: dict[str, Any] = {"queue": self.queue, "attempt": attempt}
        if envelope is not None:
            fields.update(type=envelope.type, event_id=envelope.event_id)
        if outcome.reason:
            fields["reason"] = outcome.reason
        if outcome.action == "retry":
            fields["retry_in_s"] = round(outcome.delay, 3)
        log(level, message, **fields)
