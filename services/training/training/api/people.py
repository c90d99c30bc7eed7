"""People: professionals and personal learners (never a case). A person created with the
caller's own email becomes the caller's person."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth
from imatter_shared.web.errors import NotFound

from ..authz import is_self_or_training_admin, require_person_access, require_verified
from ..extensions import db
from ..models import Person
from ..services import people
from .schemas.people import PRIVATE, PersonOut

blp = Blueprint(
    "people", __name__, url_prefix="/api/v1/people", description="People (learners, professionals)"
)


class PersonIn(Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    email = fields.Email(required=True)
    kind = fields.String(required=True, validate=v.OneOf(("professional", "personal")))


@blp.route("")
class People(MethodView):
    decorators = [require_auth]  # 401 before any input is looked at

    @blp.arguments(PersonIn)
    @blp.response(201, PersonOut)
    def post(self, data):
        """Create a person (verified accounts only; 403 otherwise).

        With the caller's own verified email this is the explicit linking step: the caller's
        person is the oldest unclaimed person carrying that email, or a new one (201); asking
        again returns the caller's person (200). A person created with someone else's email
        stays unclaimed: it gives its creator no access (invite it by `person_id` to an
        organisation; it counts for nothing until its owner accepts)."""
        c = require_verified()
        email = data["email"].strip().lower()
        own = bool(c.principal.email) and email == c.principal.email.lower()
        if own and c.person is not None:
            return c.person, 200
        if own:
            p, created = people.claim_own_person(c.principal, name=data["name"].strip(), kind=data["kind"])
            audit.record("change", "person", p.id)
            db.session.commit()
            return p, 201 if created else 200
        p = Person(name=data["name"].strip(), email=email, kind=data["kind"], created_by=c.user_id)
        db.session.add(p)
        db.session.flush()
        audit.record("change", "person", p.id)
        db.session.commit()
        return p


@blp.route("/<person_id>")
@require_auth
@blp.response(200, PersonOut)
def one_person(person_id):
    """The person themself and training admins see everything; an admin of an organisation where
    the person accepted a membership sees name and kind (no email)."""
    c = require_person_access(person_id, org_may=True)
    p = db.session.get(Person, person_id)
    if p is None:
        raise NotFound("No person with that id.")
    audit.record("read", "person", p.id)
    if is_self_or_training_admin(c, person_id):
        return p
    return PersonOut(exclude=PRIVATE).dump(p)
