"""The envelope every integration event travels in (CONTRACT.md, "Integration events").

An Envelope is a small frozen record: `event_id` (UUID string), `type`, `version`,
`occurred_at` (ISO 8601 UTC), `producer` and `data`. Only `from_json` turns bytes from the
wire into an Envelope, so a consumer either gets a well-formed envelope or an
EnvelopeError it can dead-letter; it never sees a half-parsed message.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from imatter_shared.timeutil import format_timestamp, parse_timestamp, utcnow

FIELDS = ("event_id", "type", "version", "occurred_at", "producer", "data")
MAX_BODY_BYTES = 1_000_000  # an event is a few hundred bytes; anything huge is a mistake


class EnvelopeError(ValueError):
    """The bytes are not a well-formed event envelope. The message names the problem
    (never the payload), so it is safe to log."""


@dataclass(frozen=True)
class Envelope:
    event_id: str
    type: str
    version: int
    occurred_at: str
    producer: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Frozen all the way down to the first level: a handler cannot edit what it was given.
        if not isinstance(self.data, MappingProxyType):
            object.__setattr__(self, "data", MappingProxyType(dict(self.data)))

    def to_dict(self) -> dict[str, Any]:
        return {name: (dict(self.data) if name == "data" else getattr(self, name)) for name in FIELDS}

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True, allow_nan=False).encode(
            "utf-8"
        )

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        return cls.from_dict(_decode(body))

    @classmethod
    def from_dict(cls, raw: Any) -> Envelope:
        if not isinstance(raw, dict):
            raise EnvelopeError("envelope is not a JSON object")
        missing = [name for name in FIELDS if name not in raw]
        if missing:
            raise EnvelopeError(f"envelope lacks {', '.join(missing)}")
        extra = sorted(set(raw) - set(FIELDS))
        if extra:
            raise EnvelopeError(f"envelope has unknown fields {', '.join(extra)}")
        return cls(
            event_id=_event_id(raw["event_id"]),
            type=_event_type(raw["type"]),
            version=_version(raw["version"]),
            occurred_at=_occurred_at(raw["occurred_at"]),
            producer=_non_empty("producer", raw["producer"]),
            data=_data(raw["data"]),
        )


def new_envelope(type: str, data: Mapping[str, Any], producer: str, *, version: int) -> Envelope:
    """A fresh envelope: new UUID, now as occurred_at. The producer names the version of
    the type's schema (the outbox takes it from the catalogue)."""
    return Envelope(
        event_id=str(uuid.uuid4()),
        type=_event_type(type),
        version=_version(version),
        occurred_at=format_timestamp(utcnow()),
        producer=_non_empty("producer", producer),
        data=_data(dict(data)),
    )


def _decode(body: bytes | str) -> Any:
    if isinstance(body, (bytes, bytearray, memoryview)):
        body = bytes(body)
        if len(body) > MAX_BODY_BYTES:
            raise EnvelopeError("envelope is larger than 1 MB")
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise EnvelopeError("envelope is not UTF-8") from None
    if not isinstance(body, str):
        raise EnvelopeError("envelope must be bytes or str")
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise EnvelopeError("envelope is not valid JSON") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _event_id(value: Any) -> str:
    if not isinstance(value, str):
        raise EnvelopeError("event_id is not a string")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise EnvelopeError("event_id is not a UUID") from None
    return str(parsed)  # canonical lower-case form, so dedup never sees two spellings


def _event_type(value: Any) -> str:
    value = _non_empty("type", value)
    if len(value) > 200 or any(part == "" for part in value.split(".")):
        raise EnvelopeError("type must be dotted words, e.g. training.package.purchased")
    return value


def _version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EnvelopeError("version must be a positive integer")
    return value


def _occurred_at(value: Any) -> str:
    if not isinstance(value, str):
        raise EnvelopeError("occurred_at is not a string")
    try:
        parse_timestamp(value)
    except ValueError:
        raise EnvelopeError("occurred_at is not an ISO 8601 timestamp with a UTC offset") from None
    return value


def _non_empty(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EnvelopeError(f"{name} must be a non-empty string")
    return value


def _data(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EnvelopeError("data is not a JSON object")
    return value
