"""Two tiny Flask + Flask-SQLAlchemy services standing in for training and cic-tracker.

Each has its own database, outbox and inbox, one business table (`purchases`, written
together with an outbox event) and one effect table (`tallies`) that its handlers bump
on every event they apply. A tally is deliberately NOT idempotent (count += 1), so any
double application shows up as count 2.

Also importable by subprocesses (see `service_from_env`), so a test can run a real
`flask events ...` command or kill a consumer mid-message.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from imatter_shared.messaging import outbox
from imatter_shared.messaging.cli import register_event_cli
from imatter_shared.messaging.consumer import Consumer, Reject
from imatter_shared.messaging.models import InboxMixin, OutboxMixin
from imatter_shared.messaging.relay import Relay
from imatter_shared.messaging.runtime import make_consumer, make_relay
from imatter_shared.worker_cli import register_worker_cli

# Which types each stand-in service consumes, and the key/amount a handler reads.
CONSUMES = {
    "training": ("cic.practicum.completed", "cic.tracker.credit_used"),
    "cic-tracker": ("training.package.purchased", "training.person.linked"),
}


@dataclass
class Service:
    name: str
    app: Flask
    db: SQLAlchemy
    Outbox: Any
    Inbox: Any
    Purchase: Any
    Tally: Any
    handlers: dict[str, Callable]
    faults: dict[str, Any] = field(default_factory=dict)
    database_url: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    # -- business writes (each its own transaction, like a request) ---------------------

    def buy_package(self, key: str, tracker_uses: int = 1, *, fail_before_commit: bool = False) -> str:
        """training: a package purchase and its event, in one commit."""
        with self.app.app_context():
            session = self.db.session
            session.add(self.Purchase(id=key, kind="package"))
            envelope = outbox.add(
                session,
                self.Outbox,
                "training.package.purchased",
                {
                    "package_id": key,
                    "package_type": 1,
                    "organisation_id": "org-1",
                    "practitioner_id": "person-1",
                    "tracker_uses": tracker_uses,
                    "online_accounts": 1,
                },
                producer="training",
            )
            if fail_before_commit:
                raise RuntimeError("boom after the business write, before commit")
            session.commit()
            return envelope.event_id

    def complete_practicum(self, key: str, cases: int = 3) -> str:
        """cic-tracker: a microproject completion and its event, in one commit."""
        with self.app.app_context():
            session = self.db.session
            session.add(self.Purchase(id=key, kind="practicum"))
            envelope = outbox.add(
                session,
                self.Outbox,
                "cic.practicum.completed",
                {
                    "package_id": key,
                    "practitioner_id": "person-1",
                    "cases_count": cases,
                    "completed_at": "2026-11-22T10:00:00Z",
                },
                producer="cic-tracker",
            )
            session.commit()
            return envelope.event_id

    # -- reading state -------------------------------------------------------------------

    def tallies(self) -> dict[str, tuple[int, int]]:
        with self.app.app_context():
            return {t.key: (t.count, t.total) for t in self.db.session.scalars(sa.select(self.Tally))}

    def count(self, model: Any, *where: Any) -> int:
        with self.app.app_context():
            return self.db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0

    def outbox_rows(self) -> list[Any]:
        with self.app.app_context():
            rows = self.db.session.scalars(sa.select(self.Outbox).order_by(self.Outbox.id)).all()
            self.db.session.expunge_all()
            return rows

    def reset(self) -> None:
        with self.app.app_context():
            for model in (self.Tally, self.Inbox, self.Purchase, self.Outbox):
                self.db.session.execute(sa.delete(model))
            self.db.session.commit()

    def relay(self) -> Relay:
        return make_relay(self.app, self.db, self.Outbox)

    def consumer(self) -> Consumer:
        return make_consumer(self.app, self.db, self.Inbox, self.handlers)

    def drop(self) -> None:
        """Release connections (the database itself is a temporary file or dropped whole)."""
        with self.app.app_context():
            self.db.engine.dispose()


def make_service(name: str, database_url: str, config: dict[str, Any] | None = None) -> Service:
    db = SQLAlchemy()

    class Outbox(OutboxMixin, db.Model):
        __tablename__ = "outbox_messages"

    class Inbox(InboxMixin, db.Model):
        __tablename__ = "inbox_messages"

    class Purchase(db.Model):
        __tablename__ = "purchases"
        id = sa.Column(sa.String(100), primary_key=True)
        kind = sa.Column(sa.String(20), nullable=False)

    class Tally(db.Model):
        __tablename__ = "tallies"
        key = sa.Column(sa.String(100), primary_key=True)
        count = sa.Column(sa.Integer, nullable=False, default=0)
        total = sa.Column(sa.Integer, nullable=False, default=0)

    faults: dict[str, Any] = {"broken_keys": set()}

    def bump(session: Any, envelope: Any) -> None:
        data = envelope.data
        key = data.get("package_id") or data.get("person_id")
        if key in faults["broken_keys"]:
            raise RuntimeError("handler bug (test)")
        if key.startswith("reject-"):
            raise Reject("cannot apply (test)")
        amount = data.get("tracker_uses", data.get("cases_count", data.get("credits_left", 0)))
        tally = session.get(Tally, key)
        if tally is None:
            tally = Tally(key=key, count=0, total=0)
            session.add(tally)
        tally.count += 1
        tally.total += amount

    handlers = dict.fromkeys(CONSUMES[name], bump)

    app = Flask(f"events_test_{name.replace('-', '_')}")
    engine_options: dict[str, Any] = {}
    if database_url.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options,
        SERVICE_NAME=name,
        EVENTS_RETRY_BASE_SECONDS=0.05,
        EVENTS_RETRY_MAX_SECONDS=0.5,
        EVENTS_RECONNECT_MAX_SECONDS=1.0,
        EVENTS_RELAY_POLL_SECONDS=0.1,
        EVENTS_EMBEDDED_POLL_SECONDS=0.05,
        EVENTS_MAX_DELIVERIES=3,
    )
    app.config.update(config or {})
    db.init_app(app)
    register_event_cli(app, db, Outbox, Inbox, handlers)
    with app.app_context():
        if database_url.startswith("sqlite"):
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        db.create_all()
    return Service(
        name, app, db, Outbox, Inbox, Purchase, Tally, handlers, faults, database_url, dict(config or {})
    )


def subprocess_env(service: Service, **config: Any) -> dict[str, str]:
    """Environment for a subprocess that rebuilds the same service (service_from_env)."""
    spec = {"name": service.name, "url": service.database_url, "config": {**service.config, **config}}
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    path = os.pathsep.join(p for p in (tests_dir, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "EVENTS_TEST_SERVICE": json.dumps(spec), "PYTHONPATH": path}


def service_from_env() -> Service:
    spec = json.loads(os.environ["EVENTS_TEST_SERVICE"])
    return make_service(spec["name"], spec["url"], spec["config"])


def create_app() -> Flask:
    """For `flask --app imatter_events_testapp:create_app events ...` in a subprocess.
    The root logger writes to stderr, as the real services' logging does."""
    logging.basicConfig(level=logging.INFO)
    app = service_from_env().app
    register_worker_cli(app)  # `flask worker`, as create_service_app adds it to the services
    return app


def new_key(prefix: str = "k") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
