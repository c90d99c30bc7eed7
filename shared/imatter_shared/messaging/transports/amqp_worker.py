"""The consumer's worker thread for the RabbitMQ transport: handler work runs here, off
pika's I/O thread, and each verdict is settled back on the connection's thread."""

from __future__ import annotations

import functools
import queue as queue_mod
import threading
from typing import Any

from imatter_shared.messaging.transports import Outcome, Processor


class Worker(threading.Thread):
    """Runs `process` off pika's I/O thread, one message at a time, and hands the verdict
    back to the connection's thread. Items from an older generation (a channel that has
    since died, or a consumer that is stopping) are skipped: the broker redelivers them."""

    def __init__(self, process: Processor):
        super().__init__(name="imatter-events-worker", daemon=True)
        self.process = process
        self.generation = 0
        self._queue: queue_mod.Queue = queue_mod.Queue()

    def submit(
        self, generation: int, connection: Any, channel: Any, tag: int, body: bytes, attempt: int
    ) -> None:
        self._queue.put((generation, connection, channel, tag, body, attempt))

    def busy(self) -> bool:
        return self._queue.unfinished_tasks > 0

    def stop(self) -> None:
        self.generation += 1
        self._queue.put(None)
        self.join(timeout=60)

    def run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                generation, connection, channel, tag, body, attempt = item
                if generation != self.generation:
                    continue
                try:
                    outcome = self.process(body, attempt)
                except Exception as exc:  # process() should not raise; never let it kill the worker
                    outcome = Outcome.retry(1.0, f"consumer error: {type(exc).__name__}")
                try:
                    connection.add_callback_threadsafe(
                        functools.partial(_settle, connection, channel, tag, outcome)
                    )
                except Exception:  # connection already closed: the broker will redeliver
                    pass
            finally:
                self._queue.task_done()


def _settle(connection: Any, channel: Any, tag: int, outcome: Outcome) -> None:
    if not channel.is_open:
        return
    if outcome.action == "ack":
        channel.basic_ack(tag)
    elif outcome.action == "dead":
        channel.basic_nack(tag, requeue=False)  # -> dead-letter exchange
    else:
        # Hold the message for the backoff delay, then give it back for redelivery; the
        # queue counts the delivery and dead-letters it past x-delivery-limit.
        connection.call_later(outcome.delay, functools.partial(_requeue, channel, tag))


def _requeue(channel: Any, tag: int) -> None:
    if channel.is_open:
        channel.basic_nack(tag, requeue=True)
