"""flask commands of the cic-tracker service: seed, events (relay, consume, status, replay)."""
import click
from flask import Flask


def register_cli(app: Flask) -> None:
    from imatter_shared.messaging.cli import register_event_cli

    from .events.handlers import HANDLERS
    from .extensions import db
    from .models import InboxMessage, OutboxMessage

    register_event_cli(app, db, OutboxMessage, InboxMessage, HANDLERS)

    @app.cli.command("seed")
    def seed():
        """Load the catalogue and clearly fictional demo data (idempotent)."""
        from .seed import run_seed
        run_seed()
        click.echo("cic-tracker: seeded")
