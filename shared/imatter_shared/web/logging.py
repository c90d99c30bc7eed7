"""Request logging: the request id and one access line per request, in the one JSON format
of every process (imatter_shared.jsonlog).

The gateway creates `X-Request-ID` (or keeps a sane one from the client) and forwards it;
services log it on every line. Request and response bodies are never logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

# the one line format of every process (re-exported: tests and callers know them from here)
from imatter_shared.jsonlog import JsonFormatter, configure_logging, describe  # noqa: F401

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def init_request_logging(app: Flask, service: str) -> None:
    configure_logging(service, app.config.get("LOG_LEVEL", "INFO"))
    access = logging.getLogger(f"imatter.{service}.access")

    @app.before_request
    def _start():
        incoming = request.environ.get("HTTP_X_REQUEST_ID", "")  # the X-Request-ID header
        g.request_id = incoming if _SAFE_ID.match(incoming) else new_request_id()
        g.started = time.perf_counter()

    @app.after_request
    def _finish(resp):
        resp.headers[REQUEST_ID_HEADER] = getattr(g, "request_id", "")
        if app.config.get("ACCESS_LOG", True) and request.path not in ("/healthz", "/readyz"):
            ms = (time.perf_counter() - getattr(g, "started", time.perf_counter())) * 1000
            access.info(
                "request",
                extra={
                    "ctx_method": request.method,
                    "ctx_path": request.path,
                    "ctx_status": resp.status_code,
                    "ctx_ms": round(ms, 1),
                    "ctx_user": getattr(g, "user_id", None),
                },
            )
        return resp
