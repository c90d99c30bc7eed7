"""Field types every cic-tracker response schema uses (imatter_shared.web.responses), with
cic-tracker's time format: ISO 8601 UTC with a Z and the microseconds a value has."""

from __future__ import annotations

from imatter_shared.web import responses
from imatter_shared.web.responses import Computed, ComputedNested, Opt, Out, Str, page_of

from ...services.common import iso

__all__ = ["Computed", "ComputedNested", "Opt", "Out", "Str", "When", "page_of"]


class When(responses.When):
    fmt = staticmethod(iso)
