"""'Express an interest' in one of the ten elements of the system (seed 002). Public."""
from __future__ import annotations

from marshmallow import Schema, fields, validate as v

from imatter_shared.web.api import Blueprint

from ..extensions import db
from ..models.interest import Interest
from ..services._util import iso
from ._people_common import require_training_admin, PageArgs, page, paged
import sqlalchemy as sa

blp = Blueprint("interest", __name__, url_prefix="/api/v1/interest", description="Express an interest")

# The ten elements of the system (seed 002), in the seed's order.
ELEMENTS = {
    "personal_learners": "Motivated personal learners (personal wellbeing, parenting and caring)",
    "professional_learners": "Motivated professional learners (education, health or community roles)",
    "commissioners": "Commissioners and grant awarding bodies",
    "primary_care": "Primary care services",
    "schools": "Schools and nurseries",
    "community_services": "Community services",
    "locality_hubs": "Locality hubs",
    "imatter_training": "I Matter Training",
    "lead_professionals": "Lead Professionals",
    "families": "Families and individuals via organisations",
}


class InterestIn(Schema):
    element = fields.String(required=True, validate=v.OneOf(tuple(ELEMENTS)))
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    email = fields.Email(required=True)
    message = fields.String(load_default=None, validate=v.Length(max=2000))


@blp.route("/elements")
@blp.arguments(PageArgs, location="query")
@blp.response(200)
def elements(args):
    return paged([{"code": k, "title": t, "number": i + 1} for i, (k, t) in enumerate(ELEMENTS.items())], args)


@blp.route("", methods=["POST"])
@blp.arguments(InterestIn)
@blp.response(201)
def express(data):
    row = Interest(element=data["element"], name=data["name"].strip(), email=data["email"].strip().lower(),
                   message=data["message"])
    db.session.add(row)
    db.session.commit()
    return {"id": row.id, "element": row.element, "title": ELEMENTS[row.element], "created_at": iso(row.created_at)}


@blp.route("")
@blp.arguments(PageArgs, location="query")
@blp.response(200)
def listing(args):
    """Training admins read what came in."""
    require_training_admin()
    q = sa.select(Interest)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Interest))
    rows = db.session.scalars(q.order_by(Interest.created_at.desc()).offset((args["page"] - 1) * args["per_page"])
                              .limit(args["per_page"])).all()
    return page([{"id": r.id, "element": r.element, "name": r.name, "email": r.email, "message": r.message,
                  "created_at": iso(r.created_at)} for r in rows], total, args)
