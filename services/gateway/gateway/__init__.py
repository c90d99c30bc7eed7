"""I Matter gateway: the single public entry (API routing, sign-in, portal): the app factory."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from imatter_shared.service import create_service_app

from . import (
    models,  # noqa: F401  (the tables, for Flask-Migrate and create_all)
    passwords,
    response_cache,
)
from .api import auth, jwks, openapi, password_reset, proxy
from .cli import register_cli
from .config import Config
from .dataprotection import init_dataprotection
from .extensions import db, migrate
from .keys import ensure_keypair
from .notifications import register as register_notifications
from .portal import register_portal
from .sessions import SessionInterface


def create_app(config: dict | None = None) -> Flask:
    return create_service_app(
        __name__, "gateway", "I Matter gateway", Config, _register, db=db, migrate=migrate, overrides=config
    )


def _register(app: Flask, api: Api) -> None:
    ensure_keypair(app.config["JWT_PRIVATE_KEY_FILE"], app.config["JWT_PUBLIC_KEY_FILE"])
    app.session_interface = SessionInterface()  # no serializer built for a request without cookies
    _check_password_hash_profile(app)
    api.register_blueprint(auth.blp)
    api.register_blueprint(password_reset.blp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(jwks.bp)
    app.register_blueprint(proxy.bp)
    response_cache.init_app(app)  # the catalogue cache, one per worker
    register_portal(app)
    register_cli(app)
    register_notifications(app)  # the email outbox and `flask notify`
    init_dataprotection(app)  # the audit trail, the breach register and `flask dp`


def _check_password_hash_profile(app: Flask) -> None:
    profile = app.config["PASSWORD_HASH_PROFILE"]
    if profile not in passwords.PROFILES:
        raise ValueError(
            f"PASSWORD_HASH_PROFILE must be one of {sorted(passwords.PROFILES)}, not {profile!r}"
        )
    if profile != "standard":
        # a copied line in a real deployment must not weaken every new password: the weak profile
        # needs the test suite's own marker too (set by the root conftest.py) or a TESTING app
        if not (app.testing or app.config["IMATTER_TEST_SUITE"] == "1"):
            raise ValueError(
                f"PASSWORD_HASH_PROFILE={profile} is for the test suite only (IMATTER_TEST_SUITE=1)"
            )
        app.logger.warning(
            "PASSWORD_HASH_PROFILE=%s: weak password hashing, for the test suite only", profile
        )
