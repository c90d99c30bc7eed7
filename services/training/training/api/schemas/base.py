"""Field types every training response schema uses (imatter_shared.web.responses), with
training's time format: ISO 8601 UTC with a Z, to the second."""

from __future__ import annotations

from sqlalchemy.engine import Row

from imatter_shared.web import responses
from imatter_shared.web.responses import Computed, ComputedNested, Int, Opt, Out, Str, page_of

from ...services.clock import iso

__all__ = ["Computed", "ComputedNested", "Int", "Opt", "Out", "Str", "When", "With", "page_of"]


class When(responses.When):
    fmt = staticmethod(iso)


class With:
    """A model with values its answer derives (a schema's `pre_dump` computes them once for the
    whole object or page); any other attribute is read from the model."""

    def __init__(self, model, **derived):
        self._model = model
        if isinstance(model, Row):  # a Core row's columns taken once, not one __getattr__ per field
            self.__dict__.update(model._mapping)
        elif isinstance(model, tuple) and hasattr(model, "_asdict"):  # a named tuple, the same
            self.__dict__.update(model._asdict())
        self.__dict__.update(derived)

    def __getattr__(self, name):
        return getattr(self._model, name)
