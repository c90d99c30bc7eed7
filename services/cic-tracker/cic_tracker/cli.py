"""flask commands of the cic-tracker service: seed, tracker retention, events (relay, consume,
status, replay) and questionnaires (load, list)."""

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from imatter_shared.messaging.cli import register_event_cli
from imatter_shared.questionnaires.cli import register_questionnaire_cli
from imatter_shared.scheduler import DAY, HOUR, Job, register_schedule_cli

from .events.handlers import HANDLERS
from .extensions import db
from .models import InboxMessage, OutboxMessage
from .models.reflective import QuestionnaireVersion
from .rules.reflective import INSTRUMENTS
from .seed import run_reference, run_seed
from .services.tracker import run_retention


@click.command("seed")
@click.option("--demo", is_flag=True, help="Required: this loads the fictional demo data (make run).")
@with_appcontext
def seed(demo):
    """The reference data and clearly fictional demo data (idempotent), for `make run` and trials
    only. Production loads reference data with `flask catalogue load`."""
    if not demo:
        raise click.UsageError(
            "`flask seed` loads fictional demo data: add --demo to mean it. "
            "For the reference data a real installation needs, run `flask catalogue load`."
        )
    run_seed()
    click.echo("cic-tracker: reference and demo data seeded")


catalogue = AppGroup("catalogue", help="Reference data.")


@catalogue.command("load")
def catalogue_load():
    """Reference data, what production runs (idempotent): the Progress Tracker's assessment areas
    and the current quarter's Development Fund round. No demo hub or sample questionnaire."""
    run_reference()
    click.echo("cic-tracker: reference data loaded")


tracker = AppGroup("tracker", help="Progress Tracker housekeeping.")


@tracker.command("retention")
def retention():
    """Close cases past their support window; erase closed cases past RETENTION_DAYS.
    Run it daily (cron or a scheduler); it is idempotent."""
    result = run_retention()
    db.session.commit()
    click.echo(f"cic-tracker retention: {result['closed']} closed, {result['erased']} erased")


# what `flask schedule run` runs (one leader among replicas; docs/deploying.md "Schedules")
SCHEDULE = [
    Job("tracker-retention", "tracker retention", HOUR),
    Job("reminders", "notify reminders", HOUR),
    Job("events-prune", "events prune", DAY),
    Job("dp-retention", "dp retention", DAY),
]


def register_cli(app: Flask) -> None:
    register_schedule_cli(app, "cic_tracker", "cic-tracker", SCHEDULE)
    register_event_cli(app, db, OutboxMessage, InboxMessage, HANDLERS)
    app.cli.add_command(seed)
    app.cli.add_command(catalogue)
    app.cli.add_command(tracker)
    register_questionnaire_cli(app, db, QuestionnaireVersion, instruments=INSTRUMENTS)
