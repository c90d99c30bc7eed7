"""/healthz (the process is up) and /readyz (the database answers; the broker too when configured)."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from .errors import problem


def _broker_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=1):
            return True
    except OSError:
        return False


def health_blueprint(db) -> Blueprint:
    bp = Blueprint("health", __name__)
    cache: dict[str, tuple[float, bool]] = {}

    @bp.get("/healthz")
    def healthz():
        return jsonify(status="ok", service=current_app.config.get("SERVICE_NAME"))

    @bp.get("/readyz")
    def readyz():
        checks = {}
        try:
            db.session.execute(sa.text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # the database is the thing being checked
            db.session.rollback()
            checks["database"] = f"error: {type(exc).__name__}"
        amqp = current_app.config.get("AMQP_URL")
        if amqp:
            at, ok = cache.get("amqp", (0.0, False))
            if time.monotonic() - at > 5:
                ok = _broker_reachable(amqp)
                cache["amqp"] = (time.monotonic(), ok)
            checks["broker"] = "ok" if ok else "unreachable"
        if all(v == "ok" for v in checks.values()):
            return jsonify(status="ready", checks=checks)
        return problem(
            503, "Not ready: " + ", ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"), checks=checks
        )

    return bp
