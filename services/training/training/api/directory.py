"""The public "I Matter informed" directory and the certified person's opt-in / opt-out."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import public

from ..authz import require_person_access
from ..extensions import db
from ..services import directory as svc
from ..services.certification import get_person
from .common import PageArgs, page
from .schemas.directory import DirectoryEntryOut, DirectoryEntryPage, DirectoryWithdrawnOut

blp = Blueprint("directory", __name__, url_prefix="/api/v1", description="Public directory")


class SearchArgs(PageArgs):
    q = fields.String(load_default=None, validate=v.Length(max=100))


class EntryIn(Schema):
    display_name = fields.String(load_default=None, validate=v.Length(min=1, max=200))
    locality = fields.String(load_default=None, validate=v.Length(max=120))
    summary = fields.String(load_default=None, validate=v.Length(max=500))


@blp.route("/directory")
@blp.arguments(SearchArgs, location="query")
@blp.response(200, DirectoryEntryPage)
@public
def search(args):
    """Public: opted-in, currently certified Lead Professionals and Advanced Practitioners."""
    rows, total = svc.search(args["q"], args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/people/<person_id>/directory-entry", methods=["POST"])
@blp.arguments(EntryIn)
@blp.response(201, DirectoryEntryOut)
def opt_in(data, person_id):
    """The person opts in (409 `unmet: ["directory_certification"]` without a current certification)."""
    require_person_access(person_id)
    e = svc.opt_in(get_person(person_id), data)
    db.session.commit()
    return e


def _opt_out(person_id):
    require_person_access(person_id)
    get_person(person_id)
    e = svc.opt_out(person_id)
    db.session.commit()
    return {"person_id": person_id, "listed": False, "withdrawn_at": e.withdrawn_at if e else None}


@blp.route("/people/<person_id>/directory-entry", methods=["DELETE"])
@blp.response(200, DirectoryWithdrawnOut)
def opt_out(person_id):
    return _opt_out(person_id)


@blp.route("/people/<person_id>/directory-entry/withdraw", methods=["POST"])
@blp.response(200, DirectoryWithdrawnOut)
def withdraw(person_id):
    return _opt_out(person_id)
