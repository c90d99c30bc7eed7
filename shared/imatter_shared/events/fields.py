"""The field kinds of the event catalogue's schemas (imatter_shared.events.catalogue): strict
integers, ISO 8601 timestamps with a UTC offset, string ids and choices, and the open and closed
schema bases. Every kind is JSON-native, so validated data is exactly what goes on the wire."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields
from marshmallow import validate as v

from imatter_shared.timeutil import parse_timestamp


class _StrictInteger(fields.Integer):
    """An integer and nothing else: no "3", no 3.0, no true."""

    def __init__(self, **kwargs: Any):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _is_timestamp(text: str) -> None:
    try:
        parse_timestamp(text)
    except ValueError:
        raise ValidationError("Not an ISO 8601 timestamp with a UTC offset.") from None


def _is_date_or_timestamp(text: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError:
        _is_timestamp(text)


def Id(**kwargs: Any) -> fields.Field:
    return fields.String(required=True, validate=v.Length(min=1, max=100), **kwargs)


def Count(minimum: int = 0, maximum: int | None = None, **kwargs: Any) -> fields.Field:
    return _StrictInteger(required=True, validate=v.Range(min=minimum, max=maximum), **kwargs)


def Timestamp(**kwargs: Any) -> fields.Field:
    return fields.String(required=True, validate=_is_timestamp, **kwargs)


def Choice(choices: tuple[str, ...], **kwargs: Any) -> fields.Field:
    return fields.String(required=True, validate=v.OneOf(choices), **kwargs)


class OpenSchema(Schema):
    class Meta:
        unknown = EXCLUDE


class ClosedSchema(Schema):
    class Meta:
        unknown = RAISE
