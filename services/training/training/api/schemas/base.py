"""Field types every training response schema uses."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.web.responses import Computed, ComputedNested, Out, page_of

from ...services.clock import iso

__all__ = ["Computed", "ComputedNested", "Int", "Opt", "Out", "Str", "When", "page_of"]


class When(fields.DateTime):
    """A moment as ISO 8601 UTC with a Z, to the second; null when unset (a dict a service
    already built carries the string)."""

    def __init__(self, **kw):
        kw.setdefault("allow_none", True)
        super().__init__(**kw)

    def _serialize(self, value, attr, obj, **kw):
        return value if isinstance(value, str) else iso(value)


def Str(**kw):
    return fields.String(**kw)


def Int(**kw):
    return fields.Integer(**kw)


def Opt(field_cls=fields.String, *args, **kw):
    """A field that may be null."""
    return field_cls(*args, allow_none=True, **kw)
