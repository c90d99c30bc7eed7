"""`flask dp ...`: the data-protection tooling each organisation runs on its own service.

flask dp register [--format text|json]     record of processing; exit 1 if incomplete
flask dp export --email X | --person ID    subject access, JSON on stdout
flask dp erase --email X | --person ID     erasure (financial records pseudonymised)
flask dp retention [--dry-run] [--now T]   delete what is past its schedule
flask dp breach add|notify|list            the breach register (72-hour ICO deadline)
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from imatter_shared import audit as audit_mod
from imatter_shared.timeutil import naive_utcnow, to_naive_utc

from . import retention as retention_mod
from .annotations import pii, problems, record_of_processing, render_text
from .subjects import DPConfig, SubjectTable, erase, export, resolve

MESSAGE_PAYLOAD = pii(
    "integration event (ids of professionals, organisations, packages; never case data)",
    "delivering integration events between the two organisations exactly once",
    "legitimate_interests",
    "1 year after published_at",
    fmt="json",
)


def _now(value: str | None) -> datetime:
    """The given ISO time, else now, as naive UTC: the breach and retention columns' kind."""
    if not value:
        return naive_utcnow()
    return to_naive_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def _config() -> DPConfig:
    return current_app.extensions["imatter_dp"]


def _annotate_payloads(db) -> None:
    """The outbox/inbox mixins belong to the messaging package; declare them here. Payloads
    carry whole envelopes (ids and emails of professionals can appear); every other column
    (type, state, last_error, timestamps) is delivery metadata that never repeats a payload."""
    for table in db.metadata.tables.values():
        if "outbox" not in table.name and "inbox" not in table.name:
            continue
        for col in table.columns:
            if "pii" in col.info:
                continue
            if col.name == "payload":
                col.info["pii"] = dict(MESSAGE_PAYLOAD["pii"])
                if "published_at" not in table.columns:
                    col.info["pii"]["retention"] = "1 year after " + next(
                        (c for c in ("received_at", "created_at") if c in table.columns), "id"
                    )
            else:
                col.info["pii"] = False


def _audit(action: str):
    if "imatter_audit" not in current_app.extensions:
        return None
    return lambda what, table, pk: audit_mod.record(action, table, pk)


def _subject_args(email, person):
    if bool(email) == bool(person):
        raise click.UsageError("Give exactly one of --email or --person.")


dp_cli = AppGroup("dp", help="Data protection: record of processing, subject rights, retention, breaches.")


def register_dp_cli(
    app: Flask,
    db,
    *,
    service: str,
    subject: SubjectTable | None = None,
    financial_tables: tuple[str, ...] = (),
    breach_model=None,
    before_erase=None,
) -> None:
    """Keep the service's data-protection wiring on the app and add `flask dp ...`.
    `before_erase(conn, subject, on_row)` runs first in an erasure's transaction (DPConfig)."""
    exempt = set(audit_mod.APPEND_ONLY_TABLES)
    if breach_model is not None:
        exempt.add(breach_model.__tablename__)
    app.extensions["imatter_dp"] = DPConfig(
        service=service,
        db=db,
        subject=subject,
        financial_tables=tuple(financial_tables),
        exempt_tables=tuple(sorted(exempt)),
        breach_model=breach_model,
        before_erase=before_erase,
    )
    _annotate_payloads(db)
    app.cli.add_command(dp_cli)


@dp_cli.command("register")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def register_cmd(fmt):
    """Print the record of processing; fail if a personal-looking column is unannotated."""
    cfg = _config()
    record = record_of_processing(cfg.db.metadata, cfg.service, cfg.exempt_tables)
    found = problems(cfg.db.metadata)
    if fmt == "json":
        click.echo(json.dumps({**record, "problems": found}, indent=2))
    else:
        click.echo(render_text(record))
    if found:
        for p in found:
            click.echo("MISSING " + p, err=True)
        sys.exit(1)


@dp_cli.command("export")
@click.option("--email")
@click.option("--person", help="the person's id in this service")
def export_cmd(email, person):
    """Subject access: everything this service holds about one person, as JSON."""
    _subject_args(email, person)
    cfg = _config()
    conn = cfg.db.session.connection()
    subject = resolve(cfg, conn, email=email, person=person)
    out = export(cfg, conn, subject)
    hook = _audit("export")
    if hook:
        for table, rows in out["records"].items():
            t = cfg.db.metadata.tables[table]
            for row in rows:
                hook("export", table, ":".join(str(row.get(c.name)) for c in t.primary_key.columns))
    cfg.db.session.commit()
    click.echo(json.dumps(out, indent=2, default=str))


@dp_cli.command("erase")
@click.option("--email")
@click.option("--person", help="the person's id in this service")
def erase_cmd(email, person):
    """Erase one person everywhere in this service (financial records are pseudonymised)."""
    _subject_args(email, person)
    cfg = _config()
    conn = cfg.db.session.connection()  # one transaction: the erasure and its audit rows
    subject = resolve(cfg, conn, email=email, person=person)
    summary = erase(cfg, conn, subject, on_row=_audit("erase"))
    cfg.db.session.commit()
    click.echo(json.dumps({"service": cfg.service, **summary}, indent=2))


@dp_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="count what would go, change nothing")
@click.option("--now", help="pretend it is this ISO 8601 time (for checks and tests)")
def retention_cmd(dry_run, now):
    """Delete or clear the data past its retention schedule."""
    cfg = _config()
    report = retention_mod.run(cfg, cfg.db.session.connection(), _now(now), dry_run=dry_run)
    cfg.db.session.rollback() if dry_run else cfg.db.session.commit()
    click.echo(json.dumps({"service": cfg.service, "dry_run": dry_run, "tables": report}, indent=2))


breach_cli = AppGroup("breach", help="The breach register (72 hours to tell the ICO).")
dp_cli.add_command(breach_cli)


def _model():
    model = _config().breach_model
    if model is None:
        raise click.UsageError("This service has no breach register model.")
    return model


@breach_cli.command("add")
@click.option("--description", required=True)
@click.option("--detected-at", help="ISO 8601 time it was detected (default: now)")
@click.option("--by", "by", help="who records it")
def breach_add(description, detected_at, by):
    """Record a breach."""
    model, session = _model(), _config().db.session
    row = model(description=description, detected_at=_now(detected_at), recorded_by=by)
    session.add(row)
    session.commit()
    click.echo(json.dumps(row.to_dict(_now(None)), indent=2))


@breach_cli.command("notify")
@click.argument("breach_id")
@click.option("--at", help="ISO 8601 time the ICO was told (default: now)")
@click.option("--reference", help="the ICO's reference")
def breach_notify(breach_id, at, reference):
    """Note that the ICO has been told about a breach."""
    session = _config().db.session
    row = session.get(_model(), breach_id)
    if row is None:
        raise click.UsageError(f"No breach {breach_id}.")
    row.notified_at = _now(at)
    row.ico_reference = reference
    session.commit()
    click.echo(json.dumps(row.to_dict(_now(None)), indent=2))


@breach_cli.command("list")
@click.option("--now", help="pretend it is this ISO 8601 time")
@click.option("--fail-if-overdue", is_flag=True, help="exit 1 when any breach is overdue")
def breach_list(now, fail_if_overdue):
    """Every breach with its ICO deadline; overdue ones are flagged."""
    model = _model()
    moment = _now(now)
    found = _config().db.session.scalars(sa.select(model).order_by(model.detected_at))
    rows = [r.to_dict(moment) for r in found]
    overdue = [r for r in rows if r["overdue"]]
    click.echo(json.dumps({"items": rows, "total": len(rows), "overdue": len(overdue)}, indent=2))
    for r in overdue:
        click.echo(f"OVERDUE breach {r['id']}: ICO deadline {r['ico_deadline']} ({r['status']})", err=True)
    if fail_if_overdue and overdue:
        sys.exit(1)
