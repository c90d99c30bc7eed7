"""`flask notify ...`: the operator commands of a service's email.

flask notify send [--once]     deliver the outbox over SMTP (until SIGTERM/SIGINT)
flask notify reminders [--at]  write the reminders that are due (run it from a scheduler)
flask notify status            how many notifications are pending, sent, skipped, failed

register_notifications adds the group to a service's commands; each command finds the
service's wiring on the current app.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from imatter_shared.jsonlog import configure_logging
from imatter_shared.messaging.cli import stop_on_signals
from imatter_shared.notifications.sender import make_sender
from imatter_shared.notifications.smtp import SmtpConfigError
from imatter_shared.notifications.wiring import run_reminders, wiring_of
from imatter_shared.timeutil import to_naive_utc, utcnow

notify_cli = AppGroup("notify", help="Email notifications: sender, scheduled reminders, status.")


@notify_cli.command("send")
@click.option("--once", is_flag=True, help="Deliver one batch and exit.")
def send(once: bool) -> None:
    """Deliver pending notifications until SIGTERM/SIGINT."""
    log_to_stderr()
    try:
        sender = make_sender(current_app._get_current_object(), wiring_of())
    except SmtpConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if once:
        r = sender.run_once()
        click.echo(
            f"sent {r.sent}, skipped {r.skipped}, retrying {r.retrying}, failed {r.failed}"
            + (f"; server unavailable: {r.unavailable}" if r.unavailable else "")
        )
        return
    sender.run_forever(stop_on_signals())


@notify_cli.command("reminders")
@click.option("--at", "at", default=None, help="ISO time to evaluate instead of now (UTC).")
def reminders(at: str | None) -> None:
    """Write every reminder that is due; each is written once per due date."""
    moment = utcnow()
    if at:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # the reminder functions compare with the services' naive-UTC columns
    counts = run_reminders(to_naive_utc(moment), current_app._get_current_object())
    click.echo(
        f"{wiring_of().service} reminders: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none")
    )


@notify_cli.command("status")
def status() -> None:
    """Notifications by state."""
    wiring = wiring_of()
    M = wiring.Notification
    rows = wiring.db.session.execute(sa.select(M.state, sa.func.count()).group_by(M.state)).all()
    counts = dict(rows)
    click.echo(" ".join(f"{s}={counts.get(s, 0)}" for s in ("pending", "sent", "skipped", "failed")))


def log_to_stderr() -> None:
    """The sender's logger at INFO, written by the process's JSON handler on stderr."""
    configure_logging(level=None)
    logging.getLogger("imatter.notify").setLevel(logging.INFO)
