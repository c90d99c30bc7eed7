"""Response schemas: what a view returns is dumped by the schema on `@blp.response(status, Schema)`.

One convention for every service (docs/decisions/0017-response-schemas.md): a view returns its
model object (or a plain dict/object a service already returns) and the response schema turns it
into JSON. The same schema is the OpenAPI document, so the documentation cannot drift from the
answer. A marshmallow dump drops any key the schema does not declare: a schema declares every key
its answer has.
"""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, fields, missing

from .paging import MAX_PER_PAGE


class Out(Schema):
    """Base of every response schema (dumps, never loads)."""


class Computed(fields.Function):
    """A value the model does not hold, computed by `fn(obj)`. A dict a service already built
    (its answer to a command, or an item dumped before the session committed) carries the value
    itself under the same key."""

    def _serialize(self, value, attr, obj, **kw):
        if isinstance(obj, Mapping):
            return obj.get(attr, missing)
        return super()._serialize(value, attr, obj, **kw)


class ComputedNested(fields.Nested):
    """A nested answer the model does not hold, computed by `fn(obj)` (`missing` leaves the key
    out); documented as its schema. A dict carries it under the same key, as for `Computed`."""

    def __init__(self, nested, fn, **kw):
        super().__init__(nested, **kw)
        self.fn = fn

    def get_value(self, obj, attr, accessor=None, default=missing):
        if isinstance(obj, Mapping):
            return obj.get(attr, missing)
        return self.fn(obj)


def page_of(item_schema: type[Schema], name: str | None = None) -> type[Schema]:
    """`{items: [item_schema], total, page, per_page}` for a list endpoint."""
    item_name = item_schema.__name__
    return type(
        name or item_name.removesuffix("Out") + "Page",
        (Out,),
        {
            "__doc__": f"A page of {item_name} items (per_page at most {MAX_PER_PAGE}).",
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
    )


def Str(**kw):
    return fields.String(**kw)


def Int(**kw):
    return fields.Integer(**kw)


def Opt(field_cls=fields.String, *args, **kw):
    """A field that may be null (an unset date, an erased code)."""
    return field_cls(*args, allow_none=True, **kw)


class When(fields.DateTime):
    """A moment in the service's own ISO 8601 format (`fmt`); null when unset. A dict a service
    already built carries the string, which passes unchanged."""

    fmt = staticmethod(lambda value: value.isoformat())

    def __init__(self, **kw):
        kw.setdefault("allow_none", True)
        super().__init__(**kw)

    def _serialize(self, value, attr, obj, **kw):
        if value is None or isinstance(value, str):
            return value
        return self.fmt(value)
