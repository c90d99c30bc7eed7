"""`flask worker`: a service's background loops in one process instead of one process each.

    flask --app training worker              outbox relay + event consumer + email sender + scheduler
    flask --app gateway worker               email sender and scheduler (the gateway has no events)
    flask --app training worker --no-mail    relay + consumer only

Each loop is the one its own command runs (`flask events relay`, `flask events consume`, `flask notify
send`), on its own thread, with its own transport (one broker connection per thread: pika
connections are not thread-safe) and a fresh app context, so its own database session, per round
or message. SIGTERM/SIGINT stops all of them: each finishes its batch or message and returns. If a
loop dies of an error it was not built to survive, the others are stopped and the process exits 1,
so a supervisor restarts the whole worker rather than leaving it half alive.

One process instead of three saves about 60 MiB per loop (each process imports the whole service).
The separate commands stay: a deployment that scales consumers apart from relays keeps using them.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from imatter_shared.messaging.cli import EXTENSION_KEY as EVENTS_KEY
from imatter_shared.messaging.cli import stop_on_signals
from imatter_shared.messaging.log import log_to_stderr
from imatter_shared.messaging.runtime import EventsConfig, EventsConfigError, make_consumer, make_relay
from imatter_shared.notifications.cli import log_to_stderr as notify_log_to_stderr
from imatter_shared.notifications.sender import make_sender
from imatter_shared.notifications.smtp import SmtpConfigError
from imatter_shared.notifications.wiring import EXTENSION_KEY as NOTIFY_KEY
from imatter_shared.scheduler import loop_for as scheduler_loop

log = logging.getLogger("imatter.worker")


@click.command("worker")
@with_appcontext
@click.option("--relay/--no-relay", default=True, help="Publish the outbox (when the service has events).")
@click.option("--consume/--no-consume", default=True, help="Apply this service's events.")
@click.option(
    "--mail/--no-mail", default=True, help="Deliver the email outbox (when the service sends email)."
)
@click.option(
    "--schedule/--no-schedule",
    default=True,
    help="Run the housekeeping jobs (`flask schedule run`) while this process holds the scheduler lock.",
)
def worker(relay: bool, consume: bool, mail: bool, schedule: bool) -> None:
    """Relay, consumer, email sender and scheduler of this service in one process, until
    SIGTERM/SIGINT."""
    app = current_app._get_current_object()
    loops = _loops(app, relay, consume, mail)
    scheduler = scheduler_loop(app) if schedule else None
    if scheduler is not None:
        loops.append(("schedule", scheduler))
    if not loops:
        raise click.ClickException("nothing to run: this service has none of the loops asked for")
    stop = stop_on_signals()
    failed: list[str] = []

    def run(name: str, loop: Callable[[threading.Event], None]) -> None:
        try:
            loop(stop)
        except BaseException:  # noqa: BLE001 - any death stops the others; the traceback is logged
            log.exception("worker loop died", extra={"ctx_loop": name})
            failed.append(name)
            stop.set()

    threads = [threading.Thread(target=run, args=item, name=f"worker-{item[0]}") for item in loops]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=0.5)  # short joins: the main thread stays free to take the signal
    if failed:
        log.error("worker stopped", extra={"ctx_failed": failed})
        sys.exit(1)


def _loops(app, relay: bool, consume: bool, mail: bool) -> list[tuple[str, Callable]]:
    loops: list[tuple[str, Callable]] = []
    wiring = app.extensions.get(EVENTS_KEY)
    if wiring is not None and (relay or consume):
        try:
            cfg = EventsConfig.from_mapping(app.config)
        except EventsConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        log_to_stderr()
        if relay:
            the_relay = make_relay(app, wiring.db, wiring.OutboxModel)
            loops.append(("relay", the_relay.run_forever))
        if consume:
            if not cfg.queue:
                raise click.ClickException("set SERVICE_NAME (or EVENTS_QUEUE) to name this service's queue")
            consumer = make_consumer(app, wiring.db, wiring.InboxModel, wiring.handlers)
            loops.append(("consumer", consumer.run_forever))
    notify = app.extensions.get(NOTIFY_KEY)
    if notify is not None and mail:
        notify_log_to_stderr()
        try:
            sender = make_sender(app, notify)
        except SmtpConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        loops.append(("mail", sender.run_forever))
    return loops


def register_worker_cli(app) -> None:
    """Add `flask worker` (idempotent: both the events and the notifications wiring call it)."""
    if "worker" not in app.cli.commands:
        app.cli.add_command(worker)
