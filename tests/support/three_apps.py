"""The gateway, training and cic-tracker apps in this process, each on its own fresh database
(SQLite file or PostgreSQL), for the security tests of the shared web layer."""

from __future__ import annotations

import contextlib

from support import testing as t

KEYS = t.KeyPair()


@contextlib.contextmanager
def three_apps(kind: str, tmp, setup=None):
    """{"gateway": app, "training": app, "cic": app}; `setup(app)` runs before any request
    (e.g. to add a test route)."""
    from cic_tracker import create_app as cic_app
    from gateway import create_app as gateway_app
    from training import create_app as training_app

    urls = []
    try:

        def url(name):
            if kind == "sqlite":
                return f"sqlite:///{tmp}/{name}.db"
            urls.append(t.create_postgres_database("imatter_sec"))
            return urls[-1]

        common = {"TESTING": True, "ACCESS_LOG": True}
        apps = {
            "gateway": gateway_app(
                {
                    **common,
                    "SQLALCHEMY_DATABASE_URI": url("gateway"),
                    "JWT_PRIVATE_KEY_FILE": str(tmp / "private.pem"),
                    "JWT_PUBLIC_KEY_FILE": str(tmp / "public.pem"),
                    "TRAINING_URL": "http://127.0.0.1:9",
                    "CIC_URL": "http://127.0.0.1:9",
                    "RESET_MIN_SECONDS": 0,
                }
            ),
            "training": training_app(
                {
                    **common,
                    "SQLALCHEMY_DATABASE_URI": url("training"),
                    "JWT_PUBLIC_KEY": KEYS.public,
                    "EVENTS_EMBEDDED_PATH": str(tmp / "training-events.db"),
                }
            ),
            "cic": cic_app(
                {
                    **common,
                    "SQLALCHEMY_DATABASE_URI": url("cic"),
                    "JWT_PUBLIC_KEY": KEYS.public,
                    "EVENTS_EMBEDDED_PATH": str(tmp / "cic-events.db"),
                }
            ),
        }
        for app in apps.values():
            db = app.extensions["sqlalchemy"]
            with app.app_context():
                db.create_all()
                db.session.remove()
            if setup:
                setup(app)
        yield apps
    finally:
        for app in locals().get("apps", {}).values():
            with app.app_context():
                app.extensions["sqlalchemy"].engine.dispose()
        for u in urls:
            t.drop_postgres_database(u)
