"""I Matter gateway: the single public entry (API routing, sign-in, portal): the app factory."""

from __future__ import annotations

import os

from flask import Flask

from imatter_shared.web.api import init_service

from . import models  # noqa: F401  (the tables, for migrations and the data-protection register)
from .api import auth, openapi, password_reset, proxy
from .cli import register_cli
from .config import Config
from .dataprotection import init_dataprotection
from .extensions import db, migrate
from .keys import ensure_keypair
from .notifications import register as register_notifications
from .portal import register_portal

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(Config().as_dict())
    app.config.update(config or {})
    ensure_keypair(app.config["JWT_PRIVATE_KEY_FILE"], app.config["JWT_PUBLIC_KEY_FILE"])

    api = init_service(app, db, "gateway", "I Matter gateway")
    migrate.init_app(app, db, directory=MIGRATIONS)
    api.register_blueprint(auth.blp)
    api.register_blueprint(password_reset.blp)  # reset by email
    app.register_blueprint(openapi.bp)
    app.register_blueprint(proxy.bp)
    register_portal(app)
    register_cli(app)
    register_notifications(app)  # the email outbox, `flask notify`
    init_dataprotection(app)  # audit trail, breach register, flask dp ...
    return app
