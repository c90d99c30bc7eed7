"""The Microproject Practice Guidelines (seed 003; decision 0064): versioned content, and each
practitioner's acknowledgement, which cic-tracker requires (of the version in force) before a
microproject's first case."""

from __future__ import annotations

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import public
from imatter_shared.web.errors import NotFound, RuleViolation

from ..authz import require_person_access, require_verified
from ..extensions import db
from ..services import practice_guidelines as svc
from ..services.certification import get_person
from .common import PageArgs, paged, require_training_admin
from .schemas.microproject_plans import (
    AcknowledgementOut,
    AcknowledgementPage,
    GuidelinesIn,
    GuidelinesOut,
    GuidelinesPage,
)

blp = Blueprint(
    "practice_guidelines",
    __name__,
    url_prefix="/api/v1",
    description="Microproject Practice Guidelines: versions and acknowledgements (decision 0064)",
)
P = "/practice-guidelines"


def _current_number() -> int | None:
    cur = svc.current()
    return cur.version if cur else None


@blp.route(P + "/current")
@blp.response(200, GuidelinesOut)
@public
def current():
    """The version in force (public). 404 before any version is published."""
    cur = svc.current()
    if cur is None:
        raise NotFound("No practice guidelines are published yet.")
    return svc.as_dict(cur, cur.version)


@blp.route(P)
@blp.arguments(PageArgs, location="query")
@blp.response(200, GuidelinesPage)
@public
def versions(args):
    """Every published version, newest first (public)."""
    number = _current_number()
    return paged([svc.as_dict(r, number) for r in svc.versions()], args)


@blp.route(P + "/<int:version>")
@blp.response(200, GuidelinesOut)
@public
def one(version):
    return svc.as_dict(svc.get(version), _current_number())


@blp.route(P, methods=["POST"])
@blp.arguments(GuidelinesIn)
@blp.response(201, GuidelinesOut)
def publish(data):
    """A training admin publishes a new version (the next number), in force at once: every
    practitioner acknowledges it before their next microproject's first case. Announced to
    cic-tracker as `training.practice_guidelines.published`."""
    c = require_training_admin()
    row = svc.publish(data, c.user_id)
    db.session.commit()
    return svc.as_dict(row, row.version)


@blp.route(P + "/<int:version>/acknowledgements", methods=["POST"])
@blp.response(201, AcknowledgementOut)
@blp.alt_response(200, schema=AcknowledgementOut, description="Already acknowledged: nothing changed.")
def acknowledge(version):
    """The signed-in practitioner acknowledges the version in force (for their own person only).
    409 `guidelines_current` for an older version; 409 `person` without a person record. Announced
    to cic-tracker as `training.practitioner.guidelines_acknowledged` (person, version, when)."""
    c = require_verified()
    if c.person_id is None:
        raise RuleViolation("Create your person record first (your profile).", unmet=["person"])
    ack, created = svc.acknowledge(c.person_id, version, c.user_id)
    db.session.commit()
    return svc.ack_dict(ack, _current_number()), 201 if created else 200


@blp.route("/people/<person_id>/guidelines-acknowledgements")
@blp.arguments(PageArgs, location="query")
@blp.response(200, AcknowledgementPage)
def of_person(args, person_id):
    """The person's acknowledgements, newest version first (the person themself or a training admin)."""
    require_person_access(person_id)
    get_person(person_id)
    return paged(svc.acknowledgements_of(person_id), args)
