"""The Microproject Practitioner Licence (also accepted as the Mini Candle Practitioner Licence)."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint

from ..authz import require_person_access
from ..extensions import db
from ..services import practitioner_licences as svc
from ..services.certification import get_person
from .common import PageArgs, paged, require_training_admin
from .schemas.practitioner_licences import PractitionerLicenceOut, PractitionerLicencePage

# prefixed at /api/v1 so a person's licences (/people/{id}/practitioner-licences) live here too
blp = Blueprint(
    "practitioner_licences",
    __name__,
    url_prefix="/api/v1",
    description="Microproject (Mini Candle) Practitioner Licence",
)
P = "/practitioner-licences"


class PractitionerLicenceIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    idea = fields.String(required=True, validate=v.Length(min=1, max=5000))
    # the 1-3 rule is checked by the service so the error names it; the list shape is checked here
    focus_areas = fields.List(fields.String(validate=v.Length(max=200)), required=True)
    licence_name = fields.String(
        load_default="microproject", validate=v.OneOf(("microproject", "mini_candle"))
    )


def _licence(licence_id):
    lic = svc.get(licence_id)
    require_person_access(lic.person_id)
    return lic


@blp.route(P, methods=["POST"])
@blp.arguments(PractitionerLicenceIn)
@blp.response(201, PractitionerLicenceOut)
def apply(data):
    """Apply with a microproject idea and 1-3 focus areas (400 otherwise)."""
    c = require_person_access(data["person_id"])
    get_person(data["person_id"])
    lic = svc.apply(data, c.user_id)
    db.session.commit()
    return lic


@blp.route(P + "/<licence_id>")
@blp.response(200, PractitionerLicenceOut)
def one(licence_id):
    lic = _licence(licence_id)
    audit.record("read", "practitioner_licence", lic.id)
    return lic


@blp.route("/people/<person_id>/practitioner-licences")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PractitionerLicencePage)
def of_person(args, person_id):
    """The person's licences, newest first: for the person themself, the admins of their
    organisations and training admins (404 for anyone else)."""
    require_person_access(person_id)
    get_person(person_id)
    audit.record("read", "practitioner_licences", person_id)
    return paged(svc.of_person(person_id), args)


@blp.route(P + "/<licence_id>/approve", methods=["POST"])
@blp.response(200, PractitionerLicenceOut)
def approve(licence_id):
    c = require_training_admin()
    lic = svc.approve(svc.get(licence_id), c.user_id)
    db.session.commit()
    return lic


def _action(licence_id, fn):
    lic = fn(_licence(licence_id))
    db.session.commit()
    return lic


@blp.route(P + "/<licence_id>/pause", methods=["POST"])
@blp.response(200, PractitionerLicenceOut)
def pause(licence_id):
    """A paused licence cannot be used (no package is bought under it) until resumed."""
    return _action(licence_id, svc.pause)


@blp.route(P + "/<licence_id>/resume", methods=["POST"])
@blp.response(200, PractitionerLicenceOut)
def resume(licence_id):
    return _action(licence_id, svc.resume)


@blp.route(P + "/<licence_id>/renew", methods=["POST"])
@blp.response(200, PractitionerLicenceOut)
def renew(licence_id):
    return _action(licence_id, svc.renew)
