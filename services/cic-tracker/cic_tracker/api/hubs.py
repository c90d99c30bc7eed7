"""/api/v1/hubs: locality hubs, neutral non-clinical containers the CIC oversees.

CIC staff create hubs; any signed-in user may list them (a hub's name is public
information, and a consultation request can name its hub)."""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles
from imatter_shared.web.errors import NotFound, RuleViolation
from imatter_shared.web.paging import query_page

from ..authz import caller
from ..extensions import db
from ..models import Hub, KnownOrganisation
from . import schemas as S
from .common import PageArgs

blp = Blueprint("hubs", __name__, url_prefix="/api/v1/hubs", description="Locality hubs")


class HubIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    locality = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    # the training organisation (kind `locality_hub`) this hub is (row 86); optional
    organisation_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=100)
    )


class HubLinkIn(Schema):
    organisation_id = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=100))


def check_link(organisation_id: str | None, hub_id: str | None = None) -> None:
    """A hub links to a training organisation cic knows to be of kind `locality_hub`, one hub each."""
    if organisation_id is None:
        return
    org = db.session.get(KnownOrganisation, organisation_id)
    if org is None or org.kind != "locality_hub":
        raise RuleViolation(
            "A hub links only to an organisation of kind locality_hub known from training.",
            unmet=["locality_hub_organisation"],
        )
    other = db.session.scalar(sa.select(Hub.id).where(Hub.organisation_id == organisation_id))
    if other is not None and other != hub_id:
        raise RuleViolation("Another hub is linked to that organisation.", unmet=["unique_organisation"])


@blp.post("")
@require_roles("cic_staff")
@blp.arguments(HubIn)
@blp.response(201, S.HubOut)
def create(body):
    if db.session.scalar(sa.select(Hub).where(Hub.name == body["name"])) is not None:
        raise RuleViolation("A hub with that name exists.", unmet=["unique_name"])
    check_link(body.get("organisation_id"))
    hub = Hub(created_by=caller().user_id, **body)
    db.session.add(hub)
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent link of the same organisation or name
        db.session.rollback()
        raise RuleViolation(
            "A hub with that name or organisation exists.", unmet=["unique_organisation"]
        ) from None
    return hub, 201


@blp.post("/<hub_id>/organisation")
@require_roles("cic_staff")
@blp.arguments(HubLinkIn)
@blp.response(200, S.HubOut)
def link(body, hub_id):
    """CIC staff link a hub to training's `locality_hub` organisation (or unlink it with null);
    409 `locality_hub_organisation` for any other organisation (row 86)."""
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise NotFound("No hub with that id.")
    check_link(body["organisation_id"], hub.id)
    hub.organisation_id = body["organisation_id"]
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation(
            "Another hub is linked to that organisation.", unmet=["unique_organisation"]
        ) from None
    return hub


@blp.get("")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.HubPage)
def list_(args):
    return query_page(db.session, sa.select(Hub).order_by(Hub.name), args, S.HubOut().dump)


@blp.get("/<hub_id>")
@blp.response(200, S.HubOut)
@require_auth
def get(hub_id):
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise NotFound("No hub with that id.")
    return hub
