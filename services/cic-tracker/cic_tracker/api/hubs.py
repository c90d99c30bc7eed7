"""/api/v1/hubs: locality hubs, neutral non-clinical containers the CIC oversees.

CIC staff create hubs; any signed-in user may list them (a hub's name is public
information, and a consultation request can name its hub)."""
from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles
from imatter_shared.web.errors import NotFound, RuleViolation

from ..authz import caller
from ..extensions import db
from ..models import Hub
from ..services.common import iso, page_of
from . import schemas as S
from .common import PageArgs

blp = Blueprint("hubs", __name__, url_prefix="/api/v1/hubs", description="Locality hubs")


class HubIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    locality = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


def view(h: Hub) -> dict:
    return {"id": h.id, "name": h.name, "locality": h.locality, "description": h.description,
            "created_at": iso(h.created_at)}


@blp.post("")
@require_roles("cic_staff")
@blp.arguments(HubIn)
@blp.response(201, S.HubOut)
def create(body):
    if db.session.scalar(sa.select(Hub).where(Hub.name == body["name"])) is not None:
        raise RuleViolation("A hub with that name exists.", unmet=["unique_name"])
    hub = Hub(created_by=caller().user_id, **body)
    db.session.add(hub)
    db.session.commit()
    return view(hub), 201


@blp.get("")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.HubPage)
def list_(args):
    return page_of(sa.select(Hub).order_by(Hub.name), args["page"], args["per_page"], view)


@blp.get("/<hub_id>")
@blp.response(200, S.HubOut)
@require_auth
def get(hub_id):
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise NotFound("No hub with that id.")
    return view(hub)
