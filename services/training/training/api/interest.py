"""'Express an interest' in one of the ten elements of the system (seed 002). Public."""

from __future__ import annotations

import re

import sqlalchemy as sa
from marshmallow import Schema, fields, pre_load
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import public
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models.interest import Interest
from .common import PageArgs, page, paged, require_training_admin
from .schemas.base import Computed, Int, Opt, Out, Str, When, page_of

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


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


# People name an element by its code, its number in the seed (1-10), its title, or the kind of
# organisation in singular ("school", "locality_hub"): all are understood, stored as the code.
ELEMENT_ALIASES = {
    **{_key(code): code for code in ELEMENTS},
    **{str(n): code for n, code in enumerate(ELEMENTS, start=1)},
    **{_key(title): code for code, title in ELEMENTS.items()},
    **{_key(code).removesuffix("s"): code for code in ELEMENTS},
    "school": "schools",
    "nursery": "schools",
    "community_service": "community_services",
    "family": "families",
    "individuals": "families",
    "training": "imatter_training",
    "commissioner": "commissioners",
    "grant_body": "commissioners",
}


class InterestIn(Schema):
    element = fields.String(required=True, validate=v.OneOf(tuple(ELEMENTS)))

    @pre_load
    def _element_by_any_name(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("element"), (str, int)):
            data = dict(data)
            data["element"] = ELEMENT_ALIASES.get(_key(str(data["element"])), data["element"])
        return data

    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    email = fields.Email(required=True)
    message = fields.String(load_default=None, validate=v.Length(max=2000))


class ElementOut(Out):
    code = Str()
    title = Str()
    number = Int()


class InterestOut(Out):
    id = Str()
    element = Str()
    title = Computed(lambda row: ELEMENTS[row.element], metadata={"type": "string"})
    created_at = When()


class InterestRowOut(Out):
    id = Str()
    element = Str()
    name = Str()
    email = Str()
    message = Opt()
    created_at = When()


@blp.route("/elements")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ElementOut))
@public
def elements(args):
    return paged(
        [{"code": k, "title": t, "number": i + 1} for i, (k, t) in enumerate(ELEMENTS.items())], args
    )


@blp.route("", methods=["POST"])
@blp.arguments(InterestIn)
@blp.response(201, InterestOut)
@public
def express(data):
    row = Interest(
        element=data["element"],
        name=data["name"].strip(),
        email=data["email"].strip().lower(),
        message=data["message"],
    )
    db.session.add(row)
    db.session.commit()
    return row


@blp.route("")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(InterestRowOut))
def listing(args):
    """Training admins read what came in."""
    require_training_admin()
    q = sa.select(Interest).order_by(Interest.created_at.desc())
    return page(*rows_page(db.session, q, args["page"], args["per_page"]), args)
