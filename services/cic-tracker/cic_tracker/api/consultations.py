"""/api/v1/consultations: Priorities Consultations (opt-in, purpose-specific, time-limited)."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles
from imatter_shared.web.fields import UtcDateTime
from imatter_shared.web.paging import query_page

from ..authz import caller
from ..extensions import db
from ..services import consultations as svc
from . import schemas as S
from .common import PageArgs, no_store

blp = Blueprint(
    "consultations", __name__, url_prefix="/api/v1/consultations", description="Priorities Consultations"
)
blp.after_request(no_store)


class ConsultationIn(Schema):
    for_kind = fields.String(required=True, validate=validate.OneOf(svc.FOR_KINDS))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    hub_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


class ScheduleIn(Schema):
    scheduled_for = UtcDateTime(required=True, default_timezone=UTC)


@blp.post("")
@require_auth
@blp.arguments(ConsultationIn)
@blp.response(201, S.ConsultationOut)
def create(body):
    c = svc.request_consultation(caller().user_id, body["for_kind"], body["purpose"], body["hub_id"])
    db.session.commit()
    return c, 201


@blp.get("")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.ConsultationPage)
def list_(args):
    out = query_page(
        db.session, svc.list_stmt(caller()), args, lambda c: S.ConsultationOut().dump(svc.refresh(c))
    )
    db.session.commit()
    return out


@blp.get("/<cid>")
@blp.response(200, S.ConsultationOut)
def get(cid):
    c = svc.visible(caller(), cid)
    db.session.commit()
    return c


@blp.post("/<cid>/schedule")
@require_roles("cic_staff")
@blp.arguments(ScheduleIn)
@blp.response(200, S.ConsultationOut)
def schedule(body, cid):
    c = svc.schedule(svc.visible(caller(), cid), body["scheduled_for"])
    db.session.commit()
    return c


@blp.post("/<cid>/complete")
@require_roles("cic_staff")
@blp.response(200, S.ConsultationOut)
def complete(cid):
    c = svc.complete(svc.visible(caller(), cid))
    db.session.commit()
    return c


@blp.post("/<cid>/cancel")
@blp.response(200, S.ConsultationOut)
def cancel(cid):
    who = caller()
    c = svc.cancel(who, svc.visible(who, cid))
    db.session.commit()
    return c
