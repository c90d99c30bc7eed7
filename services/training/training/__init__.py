"""I Matter Training service: the app factory."""

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
    api = init_service(app, db, "training", "I Matter Training API")
    from imatter_shared.web.errors import register_conflict_rules

    from .rules.conflicts import CONFLICT_RULES

    register_conflict_rules(app, CONFLICT_RULES)  # a constraint's 409 names its business rule
    migrate.init_app(app, db, directory=MIGRATIONS)

    from . import models  # noqa: F401  (register tables)
    from .api import register_blueprints

    register_blueprints(api, app)

    from .cli import register_cli

    register_cli(app)

    from .notifications import register as register_notifications  # issue 12: email outbox, `flask notify`

    register_notifications(app)

    from .dataprotection import init_dataprotection  # issue 8: audit trail, breach register, `flask dp`

    init_dataprotection(app, api)
    return app
