"""timeutil's ISO text: a naive value (UTC, as every DateTime column holds it) reads as the same
moment made aware, to the microsecond or to the second (the naive one takes a shorter way since
issue 18's sixth session)."""

from datetime import UTC, datetime, timedelta, timezone

from imatter_shared.timeutil import iso, iso_seconds


def test_naive_and_aware_utc_give_the_same_text():
    for naive in (
        datetime(2026, 11, 29, 18, 47, 18),
        datetime(2026, 11, 29, 18, 47, 18, 247464),
        datetime(2026, 1, 1, 0, 0, 0, 1),
        datetime(1999, 12, 31, 23, 59, 59, 999999),
    ):
        aware = naive.replace(tzinfo=UTC)
        assert iso(naive) == iso(aware) and iso_seconds(naive) == iso_seconds(aware)
        assert iso_seconds(naive).endswith("Z") and "+" not in iso(naive)
    assert iso_seconds(datetime(2026, 11, 29, 18, 47, 18, 900000)) == "2026-11-29T18:47:18Z"
    assert iso(datetime(2026, 11, 29, 18, 47, 18)) == "2026-11-29T18:47:18Z"
    assert iso(datetime(2026, 11, 29, 18, 47, 18, 5)) == "2026-11-29T18:47:18.000005Z"
    # an aware value in another zone is turned to UTC; None stays None
    later = datetime(2026, 11, 29, 20, 47, 18, tzinfo=timezone(timedelta(hours=2)))
    assert iso_seconds(later) == "2026-11-29T18:47:18Z" and iso(None) is None and iso_seconds(None) is None
