"""Field types every training response schema uses (imatter_shared.web.responses), with
training's time format: ISO 8601 UTC with a Z, to the second."""

from __future__ import annotations

from imatter_shared.web import responses
from imatter_shared.web.responses import Computed, ComputedNested, Int, Opt, Out, Str, page_of

from ...services.clock import iso

__all__ = ["Computed", "ComputedNested", "Int", "Opt", "Out", "Str", "When", "page_of"]


class When(responses.When):
    fmt = staticmethod(iso)
