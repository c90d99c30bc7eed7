"""Paging for every list: `?page=&per_page=` in, `{items, total, page, per_page}` out.

`per_page` above MAX_PER_PAGE is clamped to it (read as 100), not refused: a client asking for
"everything" gets the largest page and `total` tells it there is more. Below 1 is a 400.
The answer's `per_page` is the size actually used, so a client can see the clamp.
"""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 1_000_000  # keeps (page - 1) * per_page inside a 64-bit OFFSET


class PerPage(fields.Integer):
    """An integer of at least 1; anything above MAX_PER_PAGE is read as MAX_PER_PAGE."""

    def __init__(self, **kw):
        kw.setdefault("load_default", DEFAULT_PER_PAGE)
        kw.setdefault("validate", validate.Range(min=1))
        kw.setdefault(
            "metadata",
            {
                "description": f"Items a page (default {DEFAULT_PER_PAGE}); "
                f"above {MAX_PER_PAGE} is read as {MAX_PER_PAGE}."
            },
        )
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kw):
        n = super()._deserialize(value, attr, data, **kw)
        return min(n, MAX_PER_PAGE) if n >= 1 else n  # below 1 is left for the validator (400)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = PerPage()


def page(items: list, total: int, args: dict) -> dict:
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


def paged(rows: list, args: dict) -> dict:
    """A page of an already loaded (short) list: catalogue tables, a person's pathways ..."""
    start = (args["page"] - 1) * args["per_page"]
    return page(rows[start : start + args["per_page"]], len(rows), args)


def rows_page(session, stmt: sa.Select, page_no: int, per_page: int) -> tuple[list, int]:
    """One page of an ordered SELECT and the count of all its rows: (rows, total). A statement of
    one entity or column gives those (scalars); one of several gives row tuples."""
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    result = session.execute(stmt.offset((page_no - 1) * per_page).limit(per_page))
    rows = result.scalars().all() if len(stmt.column_descriptions) == 1 else result.all()
    return list(rows), total


def query_page(session, stmt: sa.Select, args: dict, view=None) -> dict:
    """`{items, total, page, per_page}` of an ordered SELECT, each row through `view` if given."""
    rows, total = rows_page(session, stmt, args["page"], args["per_page"])
    return page([view(r) for r in rows] if view else rows, total, args)
