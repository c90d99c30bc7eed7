"""Field types every cic-tracker response schema uses."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.web.responses import Computed, Out, page_of

from ...services.common import iso

__all__ = ["Computed", "Opt", "Out", "Str", "When", "page_of"]


def Str(**kw):
    return fields.String(**kw)


def Opt(field_cls=fields.String, *args, **kw):
    """A field that may be null (an unset date, an erased code)."""
    return field_cls(*args, allow_none=True, **kw)


class When(fields.DateTime):
    """A moment as ISO 8601 UTC with a Z; null when unset (a view's dict carries the string)."""

    def __init__(self, **kw):
        kw.setdefault("allow_none", True)
        super().__init__(**kw)

    def _serialize(self, value, attr, obj, **kw):
        return value if isinstance(value, str) else iso(value)
