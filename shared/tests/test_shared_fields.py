"""UtcDateTime: a date and time with an offset that must also be representable in UTC."""

from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import Schema, ValidationError

from imatter_shared.web.fields import UtcDateTime


class When(Schema):
    at = UtcDateTime(required=True)
    naive = UtcDateTime(load_default=None, default_timezone=UTC)


def test_an_aware_time_is_kept_as_given():
    got = When().load({"at": "2026-11-29T10:00:00+02:00"})["at"]
    assert got == datetime(2026, 11, 29, 8, 0, tzinfo=UTC) and got.utcoffset() == timedelta(hours=2)


def test_a_time_without_offset_takes_the_default_zone_or_is_refused():
    assert When().load({"at": "2026-11-29T10:00:00Z", "naive": "2026-11-29T10:00:00"})["naive"].tzinfo == UTC
    with pytest.raises(ValidationError) as e:
        When().load({"at": "2026-11-29T10:00:00"})
    assert "at" in e.value.messages


@pytest.mark.parametrize("text", ["9999-12-31T23:00:00-14:00", "0001-01-01T00:30:00+01:00"])
def test_a_time_past_what_utc_can_hold_is_a_field_error(text):
    with pytest.raises(ValidationError) as e:
        When().load({"at": text})
    assert e.value.messages == {"at": ["Not a date and time that can be stored (out of range)."]}
    # the same value with a zone it does fit in is fine
    assert When().load({"at": "9999-12-31T23:00:00+00:00"})["at"].tzinfo == UTC
