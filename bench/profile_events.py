"""Where an event's time goes in the pipeline's two Python stages, measured as CPU in one process
(issue 18 P5): cic-tracker's consumer applying `training.package.purchased` (a Microproject per
event) with `Consumer.process_batch` in batches of EVENTS_CONSUMER_BATCH_SIZE on PostgreSQL, and
the relay publishing outbox rows (`Relay.run_once`, EVENTS_RELAY_BATCH_SIZE rows a round) to the
real RabbitMQ (a throwaway exchange and queue, deleted afterwards) or the embedded transport, and
beside it raw pika publishing with a confirm per message (the ceiling bench.events measures).
Prints CPU and SQL statements per event and, with --top K, the K functions of most cumulative time.

CPU (time.process_time) rather than throughput: on a shared machine the wall clock measures the
neighbours; the CPU an event costs this process does not depend on them (much).

    python -m bench.profile_events [-n 2000] [--batch 20] [--top 25] [--only consumer,relay,raw]
                                   [--transport amqp|embedded] [--sql]
    python -m bench.profile_events --top 0      CPU and statements per event, no profiler
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
import uuid

import sqlalchemy as sa

from .common import REPO  # noqa: F401  (puts tests/ on sys.path for support.testing)
from .profile_writes import Counter

TYPE = "training.package.purchased"
# what training publishes for its seeded price book (as services/cic-tracker/tests/conftest.py)
PACKAGE_TYPES = {
    "price_book_version": 1,
    "package_types": [
        {
            "type": n,
            "title": f"Type {n}",
            "online_accounts": 0 if n == 1 else 3,
            "tracker_uses": uses,
            "tracker_uses_per_case": uses // 3,
            "price": 15000 * n,
            "placeholder": False,
        }
        for n, uses in ((1, 3), (2, 0), (3, 6), (4, 9))
    ],
}


def _app(url: str, events_path: str):
    # imported here, as in bench.profile_writes
    from cic_tracker import create_app
    from cic_tracker.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "EVENTS_EMBEDDED_PATH": events_path,
            "ACCESS_LOG": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        db.create_all()
    return app, db


def _purchase() -> dict:
    # a Type 3 package as training sells it (bench.events._package_data)
    return {
        "package_id": uuid.uuid4().hex,
        "package_type": 3,
        "organisation_id": uuid.uuid4().hex,
        "practitioner_id": uuid.uuid4().hex,
        "tracker_uses": 6,
        "online_accounts": 3,
    }


def _report(label: str, n: int, wall: float, cpu: float, statements: int, prof, top: int, sort: str) -> None:
    print(
        f"\n=== {label}: {n} events, {1000 * wall / n:.3f} ms wall, {1000 * cpu / n:.3f} ms CPU, "
        f"{statements / n:.2f} SQL statements per event" + ("" if top else " (no profiler)")
    )
    if top:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(sort).print_stats(top)
        print(out.getvalue())


def _timed(fn, top: int):
    prof = cProfile.Profile()
    t0, c0 = time.perf_counter(), time.process_time()
    if top:  # --top 0: CPU and statements only, without the profiler's own overhead
        prof.enable()
    fn()
    prof.disable()
    return time.perf_counter() - t0, time.process_time() - c0, prof


def consumer(app, db, counter: Counter, n: int, batch: int, top: int, sort: str) -> None:
    from cic_tracker.events.handlers import HANDLERS
    from cic_tracker.models import InboxMessage, Microproject
    from imatter_shared.events.envelope import new_envelope
    from imatter_shared.messaging.consumer import Consumer
    from imatter_shared.messaging.runtime import flask_session_scope

    c = Consumer(flask_session_scope(app, db), InboxMessage, HANDLERS, transport=None, queue="profile")
    published = new_envelope("training.package_types.published", PACKAGE_TYPES, "training", version=1)
    assert c.process(published.to_json()).action == "ack"

    def bodies(count: int) -> list[bytes]:
        return [new_envelope(TYPE, _purchase(), "training", version=1).to_json() for _ in range(count)]

    def feed(items: list[bytes]) -> None:
        for start in range(0, len(items), batch):
            outcomes = c.process_batch([(body, 1) for body in items[start : start + batch]])
            bad = [o for o in outcomes if o.action != "ack" or o.reason]
            if bad:
                raise SystemExit(f"consumer: {bad[0]}")

    feed(bodies(2 * batch))  # warm: first-use imports, compiled-statement caches
    todo = bodies(n)
    before = counter.n
    wall, cpu, prof = _timed(lambda: feed(todo), top)
    with app.app_context():
        made = db.session.scalar(sa.select(sa.func.count()).select_from(Microproject))
    if made != n + 2 * batch:
        raise SystemExit(f"consumer: {made} microprojects, expected {n + 2 * batch}")
    _report(f"consumer, batches of {batch}", n, wall, cpu, counter.n - before, prof, top, sort)


def relay(app, db, counter: Counter, n: int, batch: int, top: int, sort: str, transport_kind: str) -> None:
    from cic_tracker.models import OutboxMessage
    from imatter_shared.messaging import outbox
    from imatter_shared.messaging.relay import Relay
    from imatter_shared.messaging.runtime import flask_session_scope
    from imatter_shared.messaging.transports.embedded import EmbeddedTransport

    exchange = f"imatter.profile.{uuid.uuid4().hex[:10]}"
    queue = f"{exchange}.q"
    if transport_kind == "amqp":
        from imatter_shared.messaging.transports.amqp import AmqpTransport
        from support.testing import require_amqp

        transport = AmqpTransport(require_amqp(), exchange, client_name="profile")
    else:
        transport = EmbeddedTransport(app.config["EVENTS_EMBEDDED_PATH"], exchange)
    # a queue bound to the type: the relay publishes mandatory, so an unbound type is refused
    transport.declare_queue(queue, [TYPE])
    r = Relay(flask_session_scope(app, db), OutboxMessage, transport, batch_size=batch)

    def fill(count: int) -> None:
        with app.app_context():
            for _ in range(count):
                outbox.add(db.session, OutboxMessage, TYPE, _purchase(), producer="training")
            db.session.commit()

    def drain(count: int) -> None:
        done = 0
        while done < count:
            result = r.run_once()
            if result.failed or not result.published:
                raise SystemExit(f"relay: {result}")
            done += result.published

    try:
        fill(batch)
        drain(batch)  # warm: connection, channel, confirm mode, caches
        fill(n)
        before = counter.n
        wall, cpu, prof = _timed(lambda: drain(n), top)
        _report(
            f"relay ({transport_kind}), rounds of {batch}", n, wall, cpu, counter.n - before, prof, top, sort
        )
    finally:
        try:
            if transport_kind == "amqp":  # the embedded queue goes with the temporary directory
                transport.delete_topology(queue)
        finally:
            transport.close()


def raw_publish(n: int, top: int, sort: str) -> None:
    """The reference: pika alone publishing n persistent messages with a confirm each, to a quorum
    queue of the same broker (bench.events.pika_ceiling's publish), no database."""
    import pika

    from support.testing import require_amqp

    exchange = f"imatter.profile.{uuid.uuid4().hex[:10]}"
    queue = f"{exchange}.q"
    conn = pika.BlockingConnection(pika.URLParameters(require_amqp()))
    ch = conn.channel()
    ch.confirm_delivery()
    ch.exchange_declare(exchange, "topic", durable=True)
    ch.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    ch.queue_bind(queue, exchange, routing_key=TYPE)
    body = new_body()
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")

    def publish(count: int) -> None:
        for _ in range(count):
            ch.basic_publish(exchange, TYPE, body, props, mandatory=True)

    try:
        publish(50)
        wall, cpu, prof = _timed(lambda: publish(n), top)
        _report("raw pika publish with a confirm each (reference)", n, wall, cpu, 0, prof, top, sort)
    finally:
        ch.queue_delete(queue)
        ch.exchange_delete(exchange)
        conn.close()


def new_body() -> bytes:
    from imatter_shared.events.envelope import new_envelope

    return new_envelope(TYPE, _purchase(), "training", version=1).to_json()


def main() -> None:
    from support.testing import create_postgres_database, drop_postgres_database

    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=None, help="EVENTS_CONSUMER_BATCH_SIZE (default: config)")
    ap.add_argument("--relay-batch", type=int, default=None, help="EVENTS_RELAY_BATCH_SIZE (default: config)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--only", default="consumer,relay,raw")
    ap.add_argument("--transport", choices=("amqp", "embedded"), default="amqp")
    ap.add_argument("--sql", action="store_true", help="print each statement of the measured events")
    args = ap.parse_args()

    from imatter_shared.messaging.runtime import EventsConfig

    tmp = tempfile.mkdtemp(prefix="imatter-profile-events-")
    url = create_postgres_database("imatter_profile_events")
    try:
        app, db = _app(url, os.path.join(tmp, "events.db"))
        cfg = EventsConfig.from_mapping(app.config)
        with app.app_context():
            counter = Counter(db.engine, show=args.sql)
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
        only = args.only.split(",")
        if "consumer" in only:
            consumer(app, db, counter, args.n, args.batch or cfg.consumer_batch_size, args.top, args.sort)
        if "relay" in only:
            relay_batch = args.relay_batch or cfg.relay_batch_size
            relay(app, db, counter, args.n, relay_batch, args.top, args.sort, args.transport)
        if "raw" in only:
            raw_publish(args.n, args.top, args.sort)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_postgres_database(url)


if __name__ == "__main__":
    main()
