"""`flask notify ...`: the operator commands of a service's email.

flask notify send [--once]     deliver the outbox over SMTP (until SIGTERM/SIGINT)
flask notify reminders [--at]  write the reminders that are due (run it from a scheduler)
flask notify status            how many notifications are pending, sent, skipped, failed
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import AppGroup


def register_notify_cli(app: Any, wiring: Any) -> AppGroup:
    group = AppGroup("notify", help="Email notifications: sender, scheduled reminders, status.")

    @group.command("send")
    @click.option("--once", is_flag=True, help="Deliver one batch and exit.")
    def send(once: bool) -> None:
        """Deliver pending notifications until SIGTERM/SIGINT."""
        from imatter_shared.messaging.cli import _stop_on_signals
        from imatter_shared.notifications.sender import make_sender
        from imatter_shared.notifications.smtp import SmtpConfigError

        _log_to_stderr()
        try:
            sender = make_sender(app, wiring)
        except SmtpConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        if once:
            r = sender.run_once()
            click.echo(
                f"sent {r.sent}, skipped {r.skipped}, retrying {r.retrying}, failed {r.failed}"
                + (f"; server unavailable: {r.unavailable}" if r.unavailable else "")
            )
            return
        sender.run_forever(_stop_on_signals())

    @group.command("reminders")
    @click.option("--at", "at", default=None, help="ISO time to evaluate instead of now (UTC).")
    def reminders(at: str | None) -> None:
        """Write every reminder that is due; each is written once per due date."""
        from imatter_shared.notifications import run_reminders

        moment = datetime.now(UTC)
        if at:
            moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        counts = run_reminders(moment.astimezone(UTC).replace(tzinfo=None), app)
        click.echo(
            f"{wiring.service} reminders: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none")
        )

    @group.command("status")
    def status() -> None:
        """Notifications by state."""
        M = wiring.Notification
        rows = wiring.db.session.execute(sa.select(M.state, sa.func.count()).group_by(M.state)).all()
        counts = dict(rows)
        click.echo(" ".join(f"{s}={counts.get(s, 0)}" for s in ("pending", "sent", "skipped", "failed")))

    app.cli.add_command(group)
    return group


def _log_to_stderr() -> None:
    log = logging.getLogger("imatter.notify")
    log.setLevel(logging.INFO)
    if not log.handlers and not logging.getLogger().handlers:  # the service's logging may print it already
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        log.addHandler(h)
        log.setLevel(logging.INFO)
