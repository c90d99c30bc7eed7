"""Logging for the relay and the consumer, in the one JSON line format (imatter_shared.jsonlog).

Only metadata is ever logged (type, event_id, counts, error classes): event payloads may
carry case data and must not reach the logs.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from imatter_shared.jsonlog import configure_logging

logger = logging.getLogger("imatter.events")


def log(level: int, message: str, **fields: Any) -> None:
    logger.log(level, message, extra={"fields": fields})


def describe_exception(exc: BaseException) -> str:
    """`KeyError at handlers.py:42`: the class and where it was raised, not its message,
    because a handler's exception message may quote the data it choked on."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


def log_to_stderr(level: int = logging.INFO) -> None:
    """The events logger at `level`, written by the process's JSON handler on stderr (the app
    factory installed it already; a relay or consumer built without an app gets it here)."""
    configure_logging(level=None)
    logger.setLevel(level)
    logger.propagate = True
