"""JSON structured logging with a request id.

The gateway creates `X-Request-ID` (or keeps a sane one from the client) and forwards it;
services log it on every line. Request and response bodies are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if has_request_context():
            line["request_id"] = getattr(g, "request_id", None)
        for key, value in record.__dict__.items():
            if key.startswith("ctx_"):
                line.setdefault(key[4:], value)
        if record.exc_info and record.exc_info[1] is not None:
            line["exc"] = describe(record.exc_info[1])
        return json.dumps(line, default=str)


def describe(exc: BaseException) -> str:
    """An exception as its class and traceback frames, without its message or its causes'
    messages: those can quote request data (a database error quotes the bound values; M6)."""
    parts = []
    seen = 0
    while exc is not None and seen < 5:
        frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        parts.append(f"{type(exc).__module__}.{type(exc).__qualname__} (message withheld)\n{frames}")
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return "\n".join(reversed(parts))


def configure_logging(service: str, level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(getattr(h, "_imatter", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler._imatter = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def new_request_id() -> str:
    return uuid.uuid4().hex


def init_request_logging(app: Flask, service: str) -> None:
    configure_logging(service, app.config.get("LOG_LEVEL", "INFO"))
    access = logging.getLogger(f"imatter.{service}.access")

    @app.before_request
    def _start():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
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
