"""The consumer's worker thread for the RabbitMQ transport: handler work runs here, off
pika's I/O thread, and each verdict is settled back on the connection's thread."""

from __future__ import annotations

import functools
import logging
import queue as queue_mod
import threading
import time
from typing import Any

from imatter_shared.messaging.log import describe_exception, log
from imatter_shared.messaging.transports import BatchProcessor, Outcome


class Worker(threading.Thread):
    """Runs `process_batch` off pika's I/O thread on what has arrived (up to `batch_size`
    deliveries, never waiting for more), and hands the verdicts back to the connection's thread
    once it returned, i.e. after the batch's commit. Items from an older generation (a channel
    that has since died, or a consumer that is stopping) are skipped: the broker redelivers them."""

    def __init__(self, process_batch: BatchProcessor, batch_size: int = 1):
        super().__init__(name="imatter-events-worker", daemon=True)
        self.process_batch = process_batch
        self.batch_size = max(1, int(batch_size))
        self.generation = 0
        self.busy_since: float | None = None  # time.time() the current batch started, None when idle
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
            items = [self._queue.get()]
            while items[-1] is not None and len(items) < self.batch_size:
                try:
                    items.append(self._queue.get_nowait())
                except queue_mod.Empty:
                    break
            try:
                current = [i for i in items if i is not None and i[0] == self.generation]
                if current:
                    self.busy_since = time.time()
                    try:
                        self._handle(current)
                    finally:
                        self.busy_since = None
                if items[-1] is None:
                    return
            finally:
                for _ in items:
                    self._queue.task_done()

    def _handle(self, items: list[tuple]) -> None:
        try:
            outcomes = self.process_batch([(body, attempt) for *_, body, attempt in items])
        except Exception as exc:  # process_batch() should not raise; never let it kill the worker
            log(logging.ERROR, "consumer error; the batch will be retried", error=describe_exception(exc))
            outcomes = [Outcome.retry(1.0, f"consumer error: {type(exc).__name__}")] * len(items)
        # every item of a batch comes from the same channel (one generation)
        connection, channel = items[0][1], items[0][2]
        tags = [item[3] for item in items]
        try:
            connection.add_callback_threadsafe(
                functools.partial(_settle_all, connection, channel, tags, outcomes)
            )
        except Exception:  # connection already closed: the broker will redeliver
            pass


def _settle_all(connection: Any, channel: Any, tags: list[int], outcomes: list[Outcome]) -> None:
    for tag, outcome in zip(tags, outcomes, strict=True):
        _settle(connection, channel, tag, outcome)


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
