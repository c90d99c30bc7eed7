"""The app-factory builder every service's `create_app` calls:

    def create_app(config: dict | None = None) -> Flask:
        return create_service_app(
            __name__, "training", "I Matter Training API", Config, register, db=db, migrate=migrate, overrides=config
        )

Settings are read once, here: `Config()` reads the environment, then the caller's `config`
(tests, scripts) overrides it. The common scaffolding (imatter_shared.web.api.init_service)
and Flask-Migrate (the service's `migrations/` directory, beside its package) come next, and
then `register(app, api)` adds what is the service's own: tables, blueprints, commands; last
`flask worker` (imatter_shared.worker_cli), which runs whichever background loops it wired.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_smorest import Api

from imatter_shared.web.api import init_service
from imatter_shared.worker_cli import register_worker_cli


def create_service_app(
    import_name: str,
    service: str,
    title: str,
    Config: type,
    register: Callable[[Flask, Api], None],
    *,
    db: Any,
    migrate: Any,
    overrides: dict[str, Any] | None = None,
) -> Flask:
    app = Flask(import_name)
    app.config.update(Config().as_dict())
    app.config.update(overrides or {})
    api = init_service(app, db, service, title)
    migrate.init_app(app, db, directory=migrations_directory(sys.modules[import_name].__file__))
    register(app, api)
    register_worker_cli(app)  # `flask worker`: the service's relay, consumer and sender in one process
    return app


def migrations_directory(package_init: str) -> str:
    """services/<name>/migrations, beside the package directory of `package_init`."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(package_init))), "migrations")
