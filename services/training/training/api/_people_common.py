"""Small helpers shared by the people-side blueprints (pagination, the training-admin check)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate as v

from imatter_shared.web.errors import Forbidden

from ..authz import caller


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=v.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=v.Range(min=1, max=100))


def page(items, total, args) -> dict:
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


def require_training_admin():
    c = caller()
    if not c.is_training_admin:
        raise Forbidden("This needs the training_admin role.")
    return c


def paged(rows: list, args) -> dict:
    """A page of an already loaded (short) list."""
    start = (args["page"] - 1) * args["per_page"]
    return page(rows[start:start + args["per_page"]], len(rows), args)
