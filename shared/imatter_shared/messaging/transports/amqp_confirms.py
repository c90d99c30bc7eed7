"""Publisher confirms for a batch: publish every message of a relay round, then wait once.

pika's BlockingChannel in confirm mode waits for the broker's ack after each basic_publish, so a
relay round of 100 rows paid 100 round trips to the broker (each a quorum-queue write; the relay
spent most of its wall time in that wait, docs/performance.md 3c). Here the channel's confirm mode
is switched on underneath the BlockingChannel (`channel._impl`, pika 1.x's asynchronous channel;
pika is pinned in requirements.lock), every message is written, and the acks, nacks and returns are
collected by delivery tag in one wait. What each message became is the same as before:

* ack -> published; a `mandatory` message with no bound queue comes back as basic.return before its
  ack -> unroutable (PublishFailed); nack -> PublishFailed;
* the connection lost, or no answer within `timeout` -> the messages not answered yet are unknown:
  TransportUnavailable, after the answered ones are reported, so the relay commits those and
  republishes the rest later (at least once; consumers de-duplicate by event_id).

Decision 0067.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pika import spec

from imatter_shared.messaging.transports import PublishFailed

Message = tuple[str, bytes, Any]  # routing key, body, pika.BasicProperties (with message_id)


class ConfirmTracker:
    def __init__(self, connection: Any, channel: Any, timeout: float):
        self.connection, self.channel, self.timeout = connection, channel, timeout
        self.next_tag = 1
        self.pending: dict[int, int] = {}  # delivery tag -> index in the batch
        self.returned: set[str] = set()  # message_ids the broker returned (unroutable)
        self.ids: dict[int, tuple[str, str]] = {}  # index -> (message_id, routing key)
        self.settled: dict[int, PublishFailed | None] = {}
        ready: list[bool] = []
        channel._impl.confirm_delivery(
            ack_nack_callback=self._on_confirm, callback=lambda _f: ready.append(True)
        )
        channel._impl.add_on_return_callback(self._on_return)
        if not self._wait(lambda: bool(ready)):
            raise TimeoutError("no Confirm.SelectOk from the broker")

    def publish(self, exchange: str, messages: Sequence[Message]) -> dict[int, PublishFailed | None]:
        """Write every message, then wait for all answers; returns index -> None (confirmed) or
        PublishFailed. Raises TimeoutError for answers that do not come (the caller treats the
        connection as lost); CONNECTION_ERRORS propagate. Either way `self.settled` holds what
        was answered before."""
        self.pending.clear()
        self.returned.clear()
        self.ids.clear()
        self.settled = {}
        for index, (routing_key, body, props) in enumerate(messages):
            self.ids[index] = (props.message_id, routing_key)
            self.pending[self.next_tag] = index
            self.next_tag += 1
            self.channel._impl.basic_publish(exchange, routing_key, body, props, mandatory=True)
        if not self._wait(lambda: not self.pending):
            raise TimeoutError(f"{len(self.pending)} publishes not confirmed in {self.timeout:g} s")
        return self.settled

    def _wait(self, done: Callable[[], bool]) -> bool:
        """Do the connection's I/O until `done()` or the timeout; True if done. The blocking
        channel's own wait (what its basic_publish does per message): it returns as soon as the
        answer is in and raises when the channel or connection closes. (process_data_events would
        wait out its whole time limit: these callbacks are not events it dispatches.)"""
        expired: list[bool] = []
        ioloop = self.connection._impl.ioloop
        timer = ioloop.call_later(self.timeout, lambda: expired.append(True))
        try:
            self.channel._flush_output(lambda: done() or bool(expired))
        finally:
            ioloop.remove_timeout(timer)
        return done()

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        tags = (
            [t for t in self.pending if t <= method.delivery_tag]
            if method.multiple
            else [method.delivery_tag]
        )
        for tag in tags:
            index = self.pending.pop(tag, None)
            if index is None:
                continue
            if isinstance(method, spec.Basic.Nack):
                self.settled[index] = PublishFailed("nacked by the broker")
            elif self.ids[index][0] in self.returned:
                self.settled[index] = PublishFailed(f"unroutable: no queue is bound to {self.ids[index][1]}")
            else:
                self.settled[index] = None

    def _on_return(self, _channel: Any, _method: Any, props: Any, _body: bytes) -> None:
        self.returned.add(props.message_id)
