"""I Matter Training service: the app factory."""

from __future__ import annotations

from flask import Flask
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
from .rules import catalogue as catalogue_rules
from .rules.conflicts import CONFLICT_RULES
from .services import directory_totals, issuer_keys, price_book


def create_app(config: dict | None = None) -> Flask:
    return create_service_app(
        __name__,
        "training",
        "I Matter Training API",
        Config,
        _register,
        db=db,
        migrate=migrate,
        overrides=config,
    )


def _register(app: Flask, api: Api) -> None:
    issuer_keys.check_at_start(app)  # a credential signing key named but missing: refuse to start
    register_conflict_rules(app, CONFLICT_RULES)  # a constraint's 409 names its business rule
    catalogue_rules.read_from(price_book.catalogue_tables)  # the rules read the price book in force
    register_blueprints(api, app)
    register_cli(app)
    directory_totals.register()  # the directory's counter changes at each commit that lists or unlists
    register_notifications(app)  # the email outbox and `flask notify`
    init_dataprotection(app, api)  # the audit trail, the breach register and `flask dp`
