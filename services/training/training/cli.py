"""flask commands of the training service: seed, catalogue publish, licences expire, idempotency prune,
events (relay, consume, status, replay) and questionnaires (load, list)."""

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from imatter_shared.messaging.cli import register_event_cli
from imatter_shared.questionnaires.cli import register_questionnaire_cli
from imatter_shared.scheduler import DAY, HOUR, Job, register_schedule_cli

from .events.handlers import HANDLERS
from .extensions import db
from .models import IdempotencyKey, InboxMessage, OutboxMessage
from .models.base import utcnow
from .models.idempotency import KEEP
from .models.reflective import QuestionnaireVersion
from .rules.reflective import INSTRUMENTS
from .seed import run_seed, seed_price_book
from .services import licences, practice_guidelines, practitioner_licences, price_book
from .services.reflective import extra_check


@click.command("seed")
@click.option("--demo", is_flag=True, help="Required: this loads the fictional demo data (make run).")
@with_appcontext
def seed(demo):
    """The catalogue and clearly fictional demo data (idempotent), for `make run` and trials only.
    Production loads reference data with `flask catalogue load`."""
    if not demo:
        raise click.UsageError(
            "`flask seed` loads fictional demo data: add --demo to mean it. "
            "For the reference data a real installation needs, run `flask catalogue load`."
        )
    run_seed()
    click.echo("training: reference and demo data seeded")


catalogue_cli = AppGroup("catalogue", help="The catalogue in the price book.")


@catalogue_cli.command("load")
def catalogue_load():
    """Reference data, what production runs (idempotent): the catalogue in the price book, stored
    if missing, and its package types announced to cic-tracker when newly stored (as a price-book
    edit announces them). No demo organisation, person or sample questionnaire."""
    number = seed_price_book()
    db.session.commit()
    click.echo(f"training: catalogue loaded (price-book version {number})")


@catalogue_cli.command("publish")
def catalogue_publish():
    """Store the catalogue if missing and announce the package types of the version in force
    (`training.package_types.published`, applied idempotently by cic-tracker)."""
    number = price_book.load_catalogue()
    db.session.commit()
    click.echo(f"training: package types of price-book version {number} announced")


licences_cli = AppGroup("licences", help="Organisational licences.")


@licences_cli.command("expire")
def expire_licences():
    """Announce (training.licence.changed, status expired) every licence whose term has ended,
    and (training.practitioner_licence.changed, state lapsed) every practitioner licence."""
    expired = licences.expire_due()
    db.session.commit()
    click.echo(f"training: {len(expired)} licence(s) newly expired")
    # practitioner licences whose yearly term ended: announced lapsed to cic-tracker (row 101)
    lapsed = practitioner_licences.expire_due()
    db.session.commit()
    click.echo(f"training: {len(lapsed)} practitioner licence(s) newly lapsed")


guidelines_cli = AppGroup("guidelines", help="The Microproject Practice Guidelines (decision 0064).")


@guidelines_cli.command("load")
def guidelines_load():
    """Reference data, as `flask catalogue load` (idempotent): the shipped guidelines
    (content/microproject_practice_guidelines.json) as version 1 when none is published yet,
    announced to cic-tracker (`training.practice_guidelines.published`)."""
    row, created = practice_guidelines.load_content()
    db.session.commit()
    click.echo(
        f"training: practice guidelines version {row.version} {'loaded' if created else 'already in force'}"
    )


idempotency_cli = AppGroup("idempotency", help="Idempotency keys of purchases (decision 0054).")


@idempotency_cli.command("prune")
def prune_idempotency_keys():
    """Delete the stored answers of Idempotency-Keys older than 24 hours."""
    cutoff = utcnow() - KEEP
    gone = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    db.session.commit()
    click.echo(f"training: {gone.rowcount} idempotency key(s) older than 24 hours pruned")


# what `flask schedule run` runs (one leader among replicas; docs/deploying.md "Schedules")
SCHEDULE = [
    Job("licences-expire", "licences expire", HOUR),
    Job("reminders", "notify reminders", HOUR),
    Job("events-prune", "events prune", DAY),
    Job("dp-retention", "dp retention", DAY),
    Job("idempotency-prune", "idempotency prune", HOUR),
]


def register_cli(app: Flask) -> None:
    register_schedule_cli(app, "training", "training", SCHEDULE)
    register_event_cli(app, db, OutboxMessage, InboxMessage, HANDLERS)
    app.cli.add_command(seed)
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(licences_cli)
    app.cli.add_command(idempotency_cli)
    app.cli.add_command(guidelines_cli)
    register_questionnaire_cli(
        app, db, QuestionnaireVersion, instruments=INSTRUMENTS, extra_check=extra_check
    )
