"""The clock and the time format of the training services (both from imatter_shared.timeutil).

`now` is naive UTC, the way every DateTime column here stores time, so it compares with them;
`iso` writes whole seconds, the training API's format."""

from __future__ import annotations

from imatter_shared.timeutil import iso_seconds as iso
from imatter_shared.timeutil import naive_utcnow as now
from imatter_shared.timeutil import to_naive_utc

__all__ = ["iso", "now", "to_naive_utc"]
