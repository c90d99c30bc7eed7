"""Response schemas that document an answer without reshaping it.

Views here build their JSON as plain dicts (ISO strings, integer pence). A schema on
`@blp.response(status, Schema)` makes the OpenAPI document describe that dict, and schemathesis
checks every real answer against it; but a marshmallow dump would also drop any key the schema
does not declare. `Out` returns the view's own dict unchanged, so a schema can only ever be
incomplete documentation, never a silent change of the API.
"""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, fields, post_dump

from .paging import MAX_PER_PAGE


class Out(Schema):
    @post_dump(pass_original=True)
    def _as_returned(self, data, original, **kw):
        return dict(original) if isinstance(original, Mapping) else data


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
