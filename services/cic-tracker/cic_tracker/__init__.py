"""Relationship Health Matters CIC service (Progress Tracker and case-adjacent work): the app factory."""

from __future__ import annotations

from flask import Flask, g
from flask_smorest import Api

from imatter_shared.service import create_service_app
from imatter_shared.web.errors import register_conflict_rules

from . import models  # noqa: F401  (the tables, for Flask-Migrate and create_all)
from .api import register_blueprints
from .cli import register_cli
from .config import Config
from .dataprotection import init_dataprotection
from .extensions import db, migrate
from .notifications import register as register_notifications
from .rules.conflicts import CONFLICT_RULES


def create_app(config: dict | None = None) -> Flask:
    return create_service_app(
        __name__,
        "cic-tracker",
        "Relationship Health Matters CIC API",
        Config,
        _register,
        db=db,
        migrate=migrate,
        overrides=config,
    )


def _register(app: Flask, api: Api) -> None:
    register_conflict_rules(app, CONFLICT_RULES)  # a constraint's 409 names its business rule
    register_blueprints(api, app)
    register_cli(app)
    register_notifications(app)  # the email outbox and `flask notify`
    init_dataprotection(app, api)  # the audit trail, the breach register and `flask dp`
    app.before_request(_fresh_caller)
    app.after_request(_refused_changes_nothing)


def _fresh_caller() -> None:
    # The caller is resolved once per request. Under gunicorn `g` is new per request,
    # but an app context held open (scripts, tests) is reused: never carry a caller over.
    g.pop("principal", None)
    g.pop("user_id", None)
    g.pop("cic_caller", None)


def _refused_changes_nothing(response):
    # a refused request changes nothing, and holds no lock either (a row lock, SQLite's
    # write lock) while an app context outlives the request (scripts, tests)
    if response.status_code >= 400:
        db.session.rollback()
    return response
