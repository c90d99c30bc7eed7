"""`flask events ...`: the operator commands of a service's event plumbing.

    from imatter_shared.messaging.cli import register_event_cli
    register_event_cli(app, db, OutboxMessage, InboxMessage, HANDLERS)

    flask events status                 outbox backlog, queue depth, dead letters
    flask events relay [--once]         publish the outbox (until SIGTERM/SIGINT)
    flask events consume                apply events to this service (until SIGTERM/SIGINT)
    flask events replay-dead-letters    put dead-lettered messages back on the queue
    flask events prune [--days N]       delete published outbox rows and inbox records older than N days

Configuration: see imatter_shared.messaging.runtime.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from imatter_shared.messaging.consumer import Handler, check_handlers
from imatter_shared.messaging.log import log_to_stderr
from imatter_shared.messaging.models import PUBLISHED
from imatter_shared.messaging.relay import pending_summary
from imatter_shared.messaging.runtime import (
    EventsConfig,
    EventsConfigError,
    make_consumer,
    make_relay,
    make_transport,
)
from imatter_shared.messaging.transports import TransportUnavailable
from imatter_shared.timeutil import utcnow

EXTENSION_KEY = "imatter_events"


@dataclass(frozen=True)
class EventsWiring:
    db: Any
    OutboxModel: type
    InboxModel: type
    handlers: Mapping[str, Handler]


def register_event_cli(
    app: Any, db: Any, OutboxModel: type, InboxModel: type, HANDLERS: Mapping[str, Handler]
) -> AppGroup:
    """Keep the service's event wiring on the app and add `flask events ...` to its commands."""
    check_handlers(HANDLERS)
    app.extensions[EXTENSION_KEY] = EventsWiring(db, OutboxModel, InboxModel, dict(HANDLERS))
    app.cli.add_command(events)
    return events


def wiring_of() -> EventsWiring:
    return current_app.extensions[EXTENSION_KEY]


events = AppGroup("events", help="Integration events: outbox relay, consumer, dead letters.")


@events.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(as_json: bool) -> None:
    """Outbox backlog and dead letters. Exit 1 if the broker cannot be reached."""
    cfg = _config(current_app)
    wiring = wiring_of()
    count, age = pending_summary(wiring.db.session, wiring.OutboxModel)
    report: dict[str, Any] = {
        "outbox_pending": count,
        "outbox_oldest_pending_age_s": None if age is None else round(age, 1),
    }
    transport = make_transport(cfg)
    reachable = True
    try:
        if cfg.queue:
            counts = transport.queue_counts(cfg.queue)
            report.update(queue=cfg.queue, queue_ready=counts.ready, dead_letters=counts.dead)
    except TransportUnavailable as exc:
        reachable = False
        report.update(queue=cfg.queue, queue_ready=None, dead_letters=None, error=str(exc)[:200])
    finally:
        transport.close()
    report["transport"] = transport.describe()
    if as_json:
        click.echo(json.dumps(report))
    else:
        oldest = "" if age is None else f" (oldest {age:.1f} s)"
        click.echo(f"transport: {report['transport']}")
        click.echo(f"outbox pending: {count}{oldest}")
        if cfg.queue:
            dead = "unknown (broker unreachable)" if not reachable else report["dead_letters"] or 0
            click.echo(f"queue {cfg.queue}: {report.get('queue_ready') or 0} waiting")
            click.echo(f"dead letters ({cfg.queue}.dead): {dead}")
    if not reachable:
        sys.exit(1)


@events.command("relay")
@click.option("--once", is_flag=True, help="Publish one batch and exit.")
def relay(once: bool) -> None:
    """Publish pending outbox rows until SIGTERM/SIGINT."""
    _config(current_app)
    log_to_stderr()
    wiring = wiring_of()
    the_relay = make_relay(current_app._get_current_object(), wiring.db, wiring.OutboxModel)
    if once:
        try:
            result = the_relay.run_once()
        finally:
            the_relay.transport.close()
        click.echo(f"published {result.published}, refused {result.failed}")
        return
    the_relay.run_forever(stop_on_signals())


@events.command("consume")
def consume() -> None:
    """Apply this service's events until SIGTERM/SIGINT."""
    _config(current_app).queue or _missing_queue()
    log_to_stderr()
    wiring = wiring_of()
    consumer = make_consumer(current_app._get_current_object(), wiring.db, wiring.InboxModel, wiring.handlers)
    consumer.run_forever(stop_on_signals())


@events.command("replay-dead-letters")
def replay_dead_letters() -> None:
    """Move this service's dead-lettered messages back onto its queue (after a fix)."""
    cfg = _config(current_app)
    queue = cfg.queue or _missing_queue()
    transport = make_transport(cfg)
    try:
        replayed = transport.replay_dead_letters(queue)
    except TransportUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        transport.close()
    click.echo(f"replayed {replayed} dead letter(s) onto {queue}")


@events.command("prune")
@click.option(
    "--days",
    type=click.IntRange(min=7),
    default=90,
    show_default=True,
    help="Keep this many days; at least 7, well past any redelivery.",
)
def prune(days: int) -> None:
    """Delete published outbox rows and inbox records older than --days.

    Pending outbox rows are never touched. An inbox record is what makes a redelivered event
    a no-op, so the window must outlast any redelivery: the broker dead-letters a message
    after its delivery limit within minutes, and a dead-lettered event never reached the
    inbox, so replaying it later is still applied exactly once.
    """
    wiring = wiring_of()
    Outbox, Inbox = wiring.OutboxModel, wiring.InboxModel
    cutoff = utcnow() - timedelta(days=days)
    session = wiring.db.session
    outbox_gone = session.execute(
        sa.delete(Outbox).where(Outbox.state == PUBLISHED, Outbox.published_at < cutoff)
    ).rowcount
    inbox_gone = session.execute(sa.delete(Inbox).where(Inbox.received_at < cutoff)).rowcount
    session.commit()
    click.echo(
        f"pruned {outbox_gone} published outbox row(s) and {inbox_gone} inbox record(s) "
        f"older than {days} days"
    )


def _config(app: Any) -> EventsConfig:
    try:
        return EventsConfig.from_mapping(app.config)
    except EventsConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _missing_queue() -> str:
    raise click.ClickException("set SERVICE_NAME (or EVENTS_QUEUE) to name this service's queue")


def stop_on_signals() -> threading.Event:
    """SIGTERM or SIGINT sets the event: the loop finishes its message/batch and returns.
    A second signal gets the default behaviour (exit at once)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        return stop
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    for sig in previous:
        signal.signal(sig, on_signal)
    return stop
