"""3. Event pipeline: training's outbox -> relay -> RabbitMQ -> cic-tracker's consumer -> committed
effect (a microproject row and its inbox row, one transaction), against raw pika measured in the
same run on the same broker (the ceiling): publish with confirms one at a time to a quorum queue
through a topic exchange (what the relay does), consume with manual acks, and publish->consume
latency at the same steady rate.

* throughput: the relay and the consumer are started and the seed's own events applied, then N
  `training.package.purchased` rows are committed to the outbox in one transaction (a backlog
  appearing at once; its NOTIFY wakes the relay); events/s = N / time from that commit until the
  N-th of them is committed in cic-tracker. (Until 2026-11-29 evening the rows were written first
  and the relay process started after: the drain also timed a Python process importing the app,
  and the seed's pending purchases counted towards the N.)
* latency at a steady rate: rows are committed to the outbox at R/s while relay and consumer run;
  end-to-end latency = cic inbox `received_at` - training outbox `created_at`, per event. The
  relay wakes on each outbox commit (PostgreSQL NOTIFY, messaging/wakeup.py), so its poll is only
  the longest wait when a wake-up is lost; the second run with a short poll shows that it no longer
  matters. The consumer applies what is ready as one transaction (EVENTS_CONSUMER_BATCH_SIZE).

Services on PostgreSQL (fresh databases). Needs RabbitMQ on 127.0.0.1:5672.

    python -m bench.events
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from .common import Settings, Stack, Table, dump_logs, emit, log, percentile, ratio

TYPE = "training.package.purchased"
FAST_POLL = 0.05  # seconds: the relay's longest idle wait for the second latency run


# -- the raw-pika ceiling ----------------------------------------------------------------------------


def pika_ceiling(amqp_url: str, messages: int, rate: float, latency_seconds: float) -> dict:
    import pika

    exchange = f"imatter.bench.{uuid.uuid4().hex[:8]}"
    queue = exchange + ".q"
    params = pika.URLParameters(amqp_url)
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    ch.confirm_delivery()
    ch.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
    ch.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum", "x-delivery-limit": 10})
    ch.queue_bind(queue, exchange, routing_key=TYPE)
    body = b'{"event_id": "' + b"0" * 36 + b'", "data": {"package_id": "' + b"x" * 32 + b'"}}'
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    out: dict = {}
    try:
        t0 = time.monotonic()
        for _ in range(messages):
            ch.basic_publish(exchange, TYPE, body, props, mandatory=True)
        out["publish_rate"] = messages / (time.monotonic() - t0)

        ch.basic_qos(prefetch_count=100)
        got = 0
        t0 = time.monotonic()
        for method, _props, _body in ch.consume(queue, inactivity_timeout=5):
            if method is None:
                break
            ch.basic_ack(method.delivery_tag)
            got += 1
            if got >= messages:
                break
        ch.cancel()
        out["consume_rate"] = got / (time.monotonic() - t0)
        out["consumed"] = got

        # publish -> consume latency at a steady rate: a publisher thread on its own connection
        lat: list[float] = []
        n = max(1, int(rate * latency_seconds))
        stop = threading.Event()

        def publisher():
            pconn = pika.BlockingConnection(params)
            pch = pconn.channel()
            pch.confirm_delivery()
            start = time.monotonic()
            for i in range(n):
                due = start + i / rate
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
                stamp = repr(time.time()).encode()
                pch.basic_publish(exchange, TYPE, stamp, props, mandatory=True)
                if stop.is_set():
                    break
            pconn.close()

        th = threading.Thread(target=publisher, daemon=True)
        th.start()
        deadline = time.monotonic() + latency_seconds + 30
        for method, _props, b in ch.consume(queue, inactivity_timeout=1):
            if method is not None:
                lat.append(time.time() - float(b))
                ch.basic_ack(method.delivery_tag)
            if len(lat) >= n or time.monotonic() > deadline:
                break
        stop.set()
        ch.cancel()
        th.join(timeout=30)
        lat.sort()
        out.update(latency_n=len(lat), p50_ms=_ms(percentile(lat, 50)), p99_ms=_ms(percentile(lat, 99)))
    finally:
        try:
            ch.queue_delete(queue)
            ch.exchange_delete(exchange)
        finally:
            conn.close()
    return out


def _ms(v):
    return None if v is None else v * 1000.0


# -- the pipeline ------------------------------------------------------------------------------------


def _package_data() -> dict:
    # a Type 3 package as training sells it (cic dead-letters quantities its type cannot carry)
    return {
        "package_id": uuid.uuid4().hex,
        "package_type": 3,
        "organisation_id": uuid.uuid4().hex,
        "practitioner_id": uuid.uuid4().hex,
        "tracker_uses": 6,
        "online_accounts": 3,
    }


def write_backlog(engine, count: int) -> float:
    """Commit `count` outbox rows in ONE transaction (a backlog appearing at once) and answer the
    monotonic time just before the commit: no row is visible to the relay before it, so the drain
    is timed from there (slightly against us: the commit's own time counts)."""
    from imatter_shared.messaging import outbox
    from training.models import OutboxMessage

    with sa.orm.Session(engine) as session:
        for _ in range(count):
            outbox.add(session, OutboxMessage, TYPE, _package_data(), producer="training")
        session.flush()
        t0 = time.monotonic()
        session.commit()
    return t0


def outbox_rows(training_engine) -> int:
    """Rows of this type in training's outbox (the seed's purchases among them)."""
    with training_engine.connect() as conn:
        q = "SELECT count(*) FROM outbox_messages WHERE type = :t"
        return conn.execute(sa.text(q), {"t": TYPE}).scalar() or 0


def write_outbox(engine, count: int, rate: float | None = None) -> list[str]:
    """Commit `count` outbox rows (one per transaction, as a request would), at `rate`/s if given."""
    from imatter_shared.messaging import outbox
    from training.models import OutboxMessage

    ids = []
    start = time.monotonic()
    with sa.orm.Session(engine) as session:
        for i in range(count):
            if rate:
                due = start + i / rate
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
            env = outbox.add(session, OutboxMessage, TYPE, _package_data(), producer="training")
            session.commit()
            ids.append(env.event_id)
    return ids


def effects(cic_engine, event_ids: list[str] | None = None) -> int:
    """Committed effects in cic-tracker: inbox rows of this type (written in the handler's transaction)."""
    q = "SELECT count(*) FROM inbox_messages WHERE type = :t"
    with cic_engine.connect() as conn:
        return conn.execute(sa.text(q), {"t": TYPE}).scalar() or 0


def wait_effects(cic_engine, target: int, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if effects(cic_engine) >= target:
            return time.monotonic()
        time.sleep(0.05)
    return None


_IDS = sa.bindparam("ids", expanding=True)


def latencies(training_engine, cic_engine, event_ids: list[str]) -> list[float]:
    with training_engine.connect() as conn:
        created = dict(
            conn.execute(
                sa.text("SELECT event_id, created_at FROM outbox_messages WHERE event_id IN :ids").bindparams(
                    _IDS
                ),
                {"ids": event_ids},
            ).all()
        )
    with cic_engine.connect() as conn:
        received = dict(
            conn.execute(
                sa.text("SELECT event_id, received_at FROM inbox_messages WHERE event_id IN :ids").bindparams(
                    _IDS
                ),
                {"ids": event_ids},
            ).all()
        )
    return sorted(
        (received[e] - created[e]).total_seconds() for e in event_ids if e in received and e in created
    )


def stage_rates(training_engine, cic_engine, since) -> tuple[float | None, float | None]:
    """Each stage on its own over the backlog: outbox rows published per second (published_at
    span) and events applied per second (inbox received_at span), of the rows of this type
    published or applied from `since` (naive UTC, the backlog's commit) on."""

    def rate(engine, sql):
        with engine.connect() as conn:
            n, first, last = conn.execute(sa.text(sql), {"t": TYPE, "since": since}).one()
        return (n - 1) / (last - first).total_seconds() if n and n > 1 and last > first else None

    return (
        rate(
            training_engine,
            "SELECT count(*), min(published_at), max(published_at) FROM outbox_messages "
            "WHERE type = :t AND published_at >= :since",
        ),
        rate(
            cic_engine,
            "SELECT count(*), min(received_at), max(received_at) FROM inbox_messages "
            "WHERE type = :t AND received_at >= :since",
        ),
    )


def _wait_log(stack, name: str, text: str, timeout: float = 60, seen: int = 0) -> None:
    """Wait until `name`'s log holds `text` more than `seen` times (a restarted process appends to
    the same log, so its first start's line must not count for the second)."""
    deadline = time.monotonic() + timeout
    while stack.read_log(name).count(text) <= seen:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not log {text!r} within {timeout}s")
        time.sleep(0.1)


def _wait_queue(amqp_url: str, queue: str, timeout: float = 30) -> None:
    import pika

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
        try:
            conn.channel().queue_declare(queue, passive=True)
            return
        except pika.exceptions.ChannelClosedByBroker:
            time.sleep(0.2)
        finally:
            if conn.is_open:
                conn.close()
    raise RuntimeError(f"queue {queue} was not declared within {timeout}s")


def run(s: Settings | None = None, sink: list | None = None) -> list[Table]:
    import os

    from support.stack import BIN
    from support.testing import create_postgres_database, drop_postgres_database, require_amqp

    s = s or Settings.from_env()
    amqp_url = require_amqp()
    log(
        f"raw pika ceiling: {s.pika_messages} messages, then {s.events_rate:.0f}/s for {s.events_latency_seconds:.0f}s"
    )
    raw = pika_ceiling(amqp_url, s.pika_messages, s.events_rate, s.events_latency_seconds)

    urls = {
        name: create_postgres_database(f"imatter_bench_{name}") for name in ("training", "cic", "gateway")
    }
    stack = Stack(workers=1, consumers=False, amqp_url=amqp_url, database_urls=urls)
    training_engine = sa.create_engine(urls["training"])
    cic_engine = sa.create_engine(urls["cic"])
    try:
        log("starting the stack (PostgreSQL, RabbitMQ), consumer first, relay after the outbox is full")
        stack.start()
        stack._spawn(
            "cic_consumer", [os.path.join(BIN, "flask"), "--app", "cic_tracker", "events", "consume"]
        )
        _wait_queue(amqp_url, f"cic-tracker.events.{stack.queue_suffix}")
        # the relay is started first and the seed's own purchases are drained before the clock
        # starts, so the drain times the pipeline on the backlog alone: not a Python process
        # starting up (raw pika's ceiling is timed after its connection is open too), and not the
        # seed's events counted as the backlog's
        stack._spawn("training_relay", [os.path.join(BIN, "flask"), "--app", "training", "events", "relay"])
        _wait_log(stack, "training_relay", "relay started")
        if wait_effects(cic_engine, outbox_rows(training_engine), timeout=60) is None:
            raise RuntimeError("the seed's events were not applied within 60s")
        base = effects(cic_engine)
        log(f"committing a backlog of {s.events_count} outbox rows at once")
        since = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as the columns store it
        t0 = write_backlog(training_engine, s.events_count)
        t1 = wait_effects(cic_engine, base + s.events_count, timeout=max(60, s.events_count / 20))
        done = effects(cic_engine) - base
        relay_rate, consume_rate = stage_rates(training_engine, cic_engine, since)
        drain_rate = done / ((t1 or time.monotonic()) - t0)

        # steady rate, twice: the relay as configured (woken by NOTIFY, poll 0.5 s as a fallback), then
        # restarted with a short poll, which shows the poll no longer shapes the latency
        lat_runs = []
        for poll in (None, FAST_POLL):
            if poll is not None:
                starts = stack.read_log("training_relay").count("relay started")
                stack.stop_process("training_relay")
                stack.env["EVENTS_RELAY_POLL_SECONDS"] = str(poll)
                stack._spawn(
                    "training_relay", [os.path.join(BIN, "flask"), "--app", "training", "events", "relay"]
                )
                _wait_log(stack, "training_relay", "relay started", seen=starts)
            log(
                f"steady rate: {s.events_rate:.0f} events/s for {s.events_latency_seconds:.0f}s "
                f"(relay poll {poll or 'default'})"
            )
            n = max(1, int(s.events_rate * s.events_latency_seconds))
            before = effects(cic_engine)
            ids = write_outbox(training_engine, n, rate=s.events_rate)
            wait_effects(cic_engine, before + n, timeout=60)
            lat_runs.append((poll, latencies(training_engine, cic_engine, ids)))
        relay_log = stack.read_log("training_relay")
        consumer_log = stack.read_log("cic_consumer")
    except BaseException:
        dump_logs(stack)
        raise
    finally:
        stack.cleanup()
        training_engine.dispose()
        cic_engine.dispose()
        for url in urls.values():
            drop_postgres_database(url)

    pipe_ceiling = min(raw["publish_rate"], raw["consume_rate"])
    t = Table(
        "3. Event pipeline: outbox -> RabbitMQ -> committed effect (PostgreSQL, quorum queues)",
        ["measure", "pipeline", "raw pika (ceiling)", "x ceiling"],
    )
    t.add(
        "events/s, outbox drained to committed effect",
        drain_rate,
        pipe_ceiling,
        ratio(drain_rate, pipe_ceiling),
    )
    t.add(
        "  relay stage: outbox rows published/s vs raw publish with confirms",
        relay_rate,
        raw["publish_rate"],
        ratio(relay_rate, raw["publish_rate"]),
    )
    t.add(
        "  consumer stage: events applied/s vs raw consume (manual ack, prefetch 100)",
        consume_rate,
        raw["consume_rate"],
        ratio(consume_rate, raw["consume_rate"]),
    )
    for poll, lat in lat_runs:
        p50, p99 = _ms(percentile(lat, 50)), _ms(percentile(lat, 99))
        how = f"relay poll {poll} s" if poll else "relay poll as configured"
        t.add(
            f"p50 latency at {s.events_rate:.0f}/s, {how}, ms", p50, raw["p50_ms"], ratio(p50, raw["p50_ms"])
        )
        t.add(
            f"p99 latency at {s.events_rate:.0f}/s, {how}, ms", p99, raw["p99_ms"], ratio(p99, raw["p99_ms"])
        )
    t.add(
        "events measured (throughput / latency runs)",
        " / ".join([str(done)] + [str(len(run)) for _, run in lat_runs]),
        f"{raw['consumed']} / {raw['latency_n']}",
        None,
    )
    t.notes.append(
        "x ceiling: throughput as a share of the slower raw-pika stage; latency as a multiple of "
        "raw publish->consume latency (higher is worse)"
    )
    t.notes.append(
        "end-to-end latency is outbox created_at -> cic inbox received_at (the inbox row commits "
        "with the effect); the relay wakes on the outbox commit's NOTIFY, and waits at most "
        "EVENTS_RELAY_POLL_SECONDS (0.5 s unless configured) when no wake-up comes; the consumer "
        "applies up to EVENTS_CONSUMER_BATCH_SIZE ready events per transaction"
    )
    if done < s.events_count:
        t.notes.append(
            f"only {done} of {s.events_count} effects committed in time; "
            f"relay log tail: {relay_log[-300:]!r} consumer log tail: {consumer_log[-300:]!r}"
        )
    emit(t)
    if sink is not None:
        sink.append(t)
    return [t]


if __name__ == "__main__":
    run()
