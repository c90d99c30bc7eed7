"""I Matter gateway: the single public entry (API routing, sign-in, portal): the app factory."""

from __future__ import annotations

import os

from flask import Flask

from imatter_shared.web.api import init_service

from .config import Config
from .extensions import db, migrate

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(Config().as_dict())
    app.config.update(config or {})
    from .keys import ensure_keypair

    ensure_keypair(app.config["JWT_PRIVATE_KEY_FILE"], app.config["JWT_PUBLIC_KEY_FILE"])

    api = init_service(app, db, "gateway", "I Matter gateway")
    migrate.init_app(app, db, directory=MIGRATIONS)

    from . import models  # noqa: F401
    from .api import auth, openapi, proxy

    api.register_blueprint(auth.blp)
    from .api import password_reset  # issue 12

    api.register_blueprint(password_reset.blp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(proxy.bp)
    _register_portal(app)

    from .cli import register_cli

    register_cli(app)

    from .notifications import register as register_notifications  # issue 12: email outbox, `flask notify`

    register_notifications(app)

    from .dataprotection import init_dataprotection  # audit trail, breach register, flask dp ...

    init_dataprotection(app)
    return app


def _register_portal(app: Flask) -> None:
    try:
        from .portal import register_portal
    except ImportError:
        return
    register_portal(app)
