"""Time, one way for every service: the clock is aware UTC, and text is ISO 8601 with a `Z`.

The services' DateTime columns are declared without a time zone and hold UTC (a schema
change is not worth it), so aware time is made naive at exactly one place per use:
`naive_utcnow` as a column default or a value compared with such a column, and `to_naive_utc`
for a time that came in from a request. Reading a naive value back, `iso` takes it as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


def naive_utcnow() -> datetime:
    """Now in UTC without an offset: for the DateTime columns that store naive UTC."""
    return to_naive_utc(utcnow())


def to_naive_utc(moment: datetime) -> datetime:
    """`moment` in UTC without an offset; a naive value is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z` and the microseconds a value has, e.g.
    2026-11-22T15:43:00.123456Z; None stays None; a naive value is read as UTC."""
    return _iso(moment, "auto")


def iso_seconds(moment: datetime | None) -> str | None:
    """Like `iso`, to the whole second (2026-11-22T15:43:00Z): the training API's format."""
    return _iso(moment, "seconds")


def _iso(moment: datetime | None, timespec: str) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # naive: UTC already (what every DateTime column holds)
        return moment.isoformat(timespec=timespec) + "Z"
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z` suffix, e.g. 2026-11-22T15:43:00.123456Z. An event's time
    must say its zone: a naive value is refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp that carries a UTC offset; naive times are refused."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    return moment.astimezone(UTC)
