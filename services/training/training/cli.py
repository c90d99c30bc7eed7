"""flask commands of the training service: seed, events (relay, consume, status, replay)."""
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
        click.echo("training: seeded")

    # organisation side (issue 4): licence expiry announcements
    licences_cli = click.Group("licences", help="Organisational licences.")
    app.cli.add_command(licences_cli)

    @licences_cli.command("expire")
    def expire_licences():
        """Announce (training.licence.changed, status expired) every licence whose term has ended."""
        from .services.licences import expire_due
        expired = expire_due()
        db.session.commit()
        click.echo(f"training: {len(expired)} licence(s) newly expired")
