"""Request fields shared by the services."""

from __future__ import annotations

from datetime import UTC

from marshmallow import ValidationError, fields


class UtcDateTime(fields.AwareDateTime):
    """An ISO 8601 date and time with an offset (or `default_timezone` when it has none), checked
    to be representable in UTC: `9999-12-31T23:00:00-14:00` parses, but is past the last moment
    Python can hold in UTC, and converting it later raised OverflowError (a 500). Here it is a
    400 naming the field. The value stays aware; `timeutil.to_naive_utc` stores it."""

    default_error_messages = {"out_of_range": "Not a date and time that can be stored (out of range)."}

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise self.make_error("out_of_range") from exc
        return moment


__all__ = ["UtcDateTime", "ValidationError"]
