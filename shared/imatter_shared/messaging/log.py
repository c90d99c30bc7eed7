"""JSON-line logging for the relay and the consumer.

Only metadata is ever logged (type, event_id, counts, error classes): event payloads may
carry case data and must not reach the logs.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger("imatter.events")

_RESERVED = set(vars(logging.makeLogRecord({})))


def log(level: int, message: str, **fields: Any) -> None:
    logger.log(level, message, extra={"fields": fields})


def describe_exception(exc: BaseException) -> str:
    """`KeyError at handlers.py:42`: the class and where it was raised, not its message,
    because a handler's exception message may quote the data it choked on."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}) or {})
        line.update(
            {k: v for k, v in vars(record).items() if k not in _RESERVED and k not in ("fields", "message")}
        )
        if record.exc_info and record.exc_info[1] is not None:
            line["error"] = describe_exception(record.exc_info[1])
        return json.dumps(line, default=str)


def log_to_stderr(level: int = logging.INFO) -> None:
    """Send the events logger to stderr as JSON lines (once; for the CLI commands)."""
    if not any(getattr(h, "_imatter_events", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._imatter_events = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
