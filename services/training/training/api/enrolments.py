"""Enrolments on courses, learner progress and completion, and the personal resource licence."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import Forbidden, NotFound

from ..authz import is_self_or_training_admin, require_person_access
from ..extensions import db
from ..models.packages import Package
from ..services import learning
from ..services.certification import get_person, member_org_ids
from .common import PageArgs, page, require_training_admin
from .schemas.learning import EnrolmentMadeOut, EnrolmentOut, EnrolmentPage, ResourceLicenceOut

blp = Blueprint("enrolments", __name__, url_prefix="/api/v1", description="Learning: enrolments and progress")


class EnrolmentIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    course_code = fields.String(required=True, validate=v.Length(min=1, max=60))
    funding = fields.String(required=True, validate=v.OneOf(learning.FUNDINGS))
    organisation_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))
    package_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))


class ProgressIn(Schema):
    percent = fields.Integer(required=True, strict=True, validate=v.Range(min=0, max=100))


def _may_enrol(c, data: dict) -> None:
    """Who may draw on which source (security review H3, M2, L7; DOMAIN "Consent and identity"):
    `self` only the person (they pay); `cpd_credit` the organisation's admin or a training admin
    (seats are assigned by the admin); `bursary` the organisation's admin or a training admin (a
    bursary place is the organisation's decision, domain row 80: the member themself may not take
    one); `package` the person, the package organisation's admin or a training admin
    (and only for its practitioner or the members its admin assigned)."""
    person_id, funding = data["person_id"], data["funding"]
    is_self = c.person_id is not None and c.person_id == person_id
    if funding == "self":
        if not is_self:
            raise Forbidden("Only the person themself may enrol with funding: self (they pay for it).")
        return
    if c.is_training_admin:
        return
    if funding == "package":
        pkg = db.session.get(Package, data["package_id"]) if data.get("package_id") else None
        if pkg is not None and not is_self and pkg.organisation_id not in c.admin_org_ids:
            raise Forbidden("Only the package organisation's admin may give out its accounts.")
        return
    org_id = learning._org_of(person_id, data.get("organisation_id"), required=True)
    if org_id in c.admin_org_ids:
        return
    if funding == "cpd_credit":
        raise Forbidden("CPD seats are assigned by the organisation's admin.")
    raise Forbidden(
        "A bursary place is decided by the organisation: its admin (or a training admin) "
        "places a member on it."
    )


@blp.route("/enrolments", methods=["POST"])
@blp.arguments(EnrolmentIn)
@blp.response(201, EnrolmentMadeOut)
def enrol(data):
    """Enrol a person; an online L1-2 course draws their account from the named source
    (409 with `unmet` when there is no credit)."""
    c = require_person_access(data["person_id"], org_may=True)
    _may_enrol(c, data)
    out = learning.enrol(data, c.user_id)
    audit.record("change", "enrolment", out.id)
    db.session.commit()
    return out


def _org_scope(c, person_id: str) -> list[str] | None:
    """What an organisation admin sees of a member's learning: only the enrolments of the
    organisations they administer where the person is an active member (the learning the
    organisation arranges), never self-funded courses or other organisations' places.
    None: the person themself or a training admin (everything)."""
    if is_self_or_training_admin(c, person_id):
        return None
    return sorted(set(member_org_ids(person_id)) & c.admin_org_ids)


def _enrolment(enrolment_id, org_may: bool = False):
    e = learning.get(enrolment_id)
    c = require_person_access(e.person_id, org_may=org_may)
    scope = _org_scope(c, e.person_id)
    if scope is not None and e.organisation_id not in scope:
        log_refusal("enrolment", e.id)
        raise NotFound("No enrolment with that id.")
    return e


@blp.route("/enrolments/<enrolment_id>")
@blp.response(200, EnrolmentOut)
def one(enrolment_id):
    e = _enrolment(enrolment_id, org_may=True)
    audit.record("read", "enrolment", e.id)
    return e


@blp.route("/enrolments/<enrolment_id>/progress", methods=["POST"])
@blp.arguments(ProgressIn)
@blp.response(200, EnrolmentOut)
def progress(data, enrolment_id):
    e = learning.set_progress(_enrolment(enrolment_id), data["percent"])
    audit.record("change", "enrolment", e.id)
    db.session.commit()
    return e


@blp.route("/enrolments/<enrolment_id>/completion", methods=["POST"])
@blp.response(200, EnrolmentOut)
def completion(enrolment_id):
    """Training admins: mark the course completed (may complete a role: certification follows
    automatically). Course completion comes from the online learning platform (signed, POST
    /api/v1/learning-platform/completions) or a training admin, never from the learner (403)."""
    require_training_admin()
    e = learning.complete(learning.get(enrolment_id))
    audit.record("change", "enrolment", e.id)
    db.session.commit()
    return e


@blp.route("/people/<person_id>/enrolments")
@blp.arguments(PageArgs, location="query")
@blp.response(200, EnrolmentPage)
def of_person(args, person_id):
    """The person's enrolments; an organisation admin sees only those of their organisations."""
    c = require_person_access(person_id, org_may=True)
    get_person(person_id)
    rows, total = learning.of_person(person_id, args["page"], args["per_page"], _org_scope(c, person_id))
    audit.record("read", "enrolments", person_id)
    return page(rows, total, args)


@blp.route("/people/<person_id>/resource-licence")
@blp.response(200, ResourceLicenceOut)
def resource_licence(person_id):
    """What the personal resource licence (held after accessing L1 or L2) allows, and what it does not."""
    require_person_access(person_id)
    get_person(person_id)
    return learning.resource_licence(person_id)
