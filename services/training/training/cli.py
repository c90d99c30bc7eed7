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

    catalogue_cli = click.Group("catalogue", help="The catalogue in the price book.")
    app.cli.add_command(catalogue_cli)

    @catalogue_cli.command("publish")
    def catalogue_publish():
        """Store the catalogue if missing and announce the package types of the version in force
        (`training.package_types.published`, applied idempotently by cic-tracker)."""
        from .services import price_book

        number = price_book.load_catalogue()
        db.session.commit()
        click.echo(f"training: package types of price-book version {number} announced")

    # organisation side: licence expiry announcements
    licences_cli = click.Group("licences", help="Organisational licences.")
    app.cli.add_command(licences_cli)

    # reflective tools: `flask questionnaires load FILE | list`
    from imatter_shared.questionnaires.cli import register_questionnaire_cli

    from .models.reflective import QuestionnaireVersion
    from .rules.reflective import INSTRUMENTS
    from .services.reflective import extra_check

    register_questionnaire_cli(
        app, db, QuestionnaireVersion, instruments=INSTRUMENTS, extra_check=extra_check
    )

    @licences_cli.command("expire")
    def expire_licences():
        """Announce (training.licence.changed, status expired) every licence whose term has ended,
        and (training.practitioner_licence.changed, state lapsed) every practitioner licence."""
        from .services.licences import expire_due

        expired = expire_due()
        db.session.commit()
        click.echo(f"training: {len(expired)} licence(s) newly expired")
        # practitioner licences whose yearly term ended: announced lapsed to cic-tracker (row 101)
        from .services.practitioner_licences import expire_due as lapse_practitioner_licences

        lapsed = lapse_practitioner_licences()
        db.session.commit()
        click.echo(f"training: {len(lapsed)} practitioner licence(s) newly lapsed")
