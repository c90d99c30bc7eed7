"""One log format for every process: web workers, gunicorn itself, `flask` commands, workers.

Each line on stderr is one JSON object:

    {"timestamp": "2026-11-29T12:00:00.123Z", "level": "info", "logger": "imatter.training.access",
     "message": "request", "service": "training", "request_id": "3f2a...", "method": "GET", ...}

`request_id` is there when the line is written while a request is handled; further fields come
from `extra={"ctx_<name>": value}` (or the events logger's `fields`). An exception is written as
its class and traceback frames, never its message (`exc`). What goes into a line is chosen by the
caller and is metadata only: no request body, token, password hash or case text (decision 0045,
tests/security/test_security_log_canary.py). Command output meant for the operator (`flask events
status`) is not a log: it stays plain text on stdout.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from typing import Any

from flask import current_app, g, has_app_context, has_request_context

_process = {"service": None}  # this process's service, for lines written outside an app context


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str | None = None, **_: Any):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "service": _service_of(self.service),
        }
        if has_request_context():
            line["request_id"] = g.get("request_id")
        for key, value in (getattr(record, "fields", None) or {}).items():
            line.setdefault(key, value)
        for key, value in record.__dict__.items():
            if key.startswith("ctx_"):
                line.setdefault(key[4:], value)
        if record.exc_info and record.exc_info[1] is not None:
            line["exc"] = describe(record.exc_info[1])
        return json.dumps(line, default=str)


def _service_of(default: str | None) -> str | None:
    if has_app_context():
        return current_app.config.get("SERVICE_NAME") or default
    return default or _process["service"]


def describe(exc: BaseException) -> str:
    """An exception as its class and traceback frames, without its message or its causes'
    messages: those can quote request data (a database error quotes the bound values; M6) or the
    event a handler choked on."""
    parts = []
    seen = 0
    while exc is not None and seen < 5:
        frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        parts.append(f"{type(exc).__module__}.{type(exc).__qualname__} (message withheld)\n{frames}")
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return "\n".join(reversed(parts))


def set_process_service(service: str | None) -> None:
    """Name the service of lines written outside an app context (gunicorn's master, threads)."""
    if service and not _process["service"]:
        _process["service"] = service


def configure_logging(service: str | None = None, level: str | int | None = "INFO") -> None:
    """The JSON handler on the root logger, once per process; every logger propagates to it.
    `level` None leaves the root logger's level as it is."""
    set_process_service(service)
    root = logging.getLogger()
    if not any(getattr(h, "_imatter", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._imatter = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    if level is not None:
        root.setLevel(level)


def gunicorn_logconfig(service: str | None) -> dict:
    """gunicorn's `logconfig_dict`: its own lines (master, worker boots, errors) in the same JSON.
    Its access log stays off: the app writes one line per request itself (web/logging.py)."""
    formatter = {"()": "imatter_shared.jsonlog.JsonFormatter", "service": service}
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": formatter},
        "handlers": {"json": handler},
        "root": {"level": "INFO", "handlers": []},  # the app adds its own (configure_logging)
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
