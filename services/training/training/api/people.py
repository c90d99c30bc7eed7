"""People: professionals and personal learners (never a case). A person created with the
caller's own email becomes the caller's person."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth

from ..authz import caller, link_person, require_person_access
from ..extensions import db
from ..models import Person
from ..services._util import iso
from imatter_shared.web.errors import NotFound

blp = Blueprint("people", __name__, url_prefix="/api/v1/people", description="People (learners, professionals)")


class PersonIn(Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    email = fields.Email(required=True)
    kind = fields.String(required=True, validate=v.OneOf(("professional", "personal")))


def person_json(p: Person) -> dict:
    return {"id": p.id, "name": p.name, "email": p.email, "kind": p.kind, "user_id": p.user_id,
            "created_at": iso(p.created_at)}


@blp.route("")
class People(MethodView):
    decorators = [require_auth]  # 401 before any input is looked at

    @blp.arguments(PersonIn)
    @blp.response(201)
    def post(self, data):
        """Create a person. With the caller's own email it becomes the caller's person (their
        `person_id` from the next request on); asking again returns that person (200)."""
        c = caller()
        email = data["email"].strip().lower()
        own = bool(c.principal.email) and email == c.principal.email.lower()
        if own and c.person is not None:
            return person_json(c.person), 200
        p = Person(name=data["name"].strip(), email=email, kind=data["kind"], created_by=c.user_id)
        db.session.add(p)
        db.session.flush()
        if own:
            link_person(p, c.user_id)
        audit.record("change", "person", p.id)
        db.session.commit()
        return person_json(p)


@blp.route("/<person_id>")
@require_auth
@blp.response(200)
def one_person(person_id):
    require_person_access(person_id)
    p = db.session.get(Person, person_id)
    if p is None:
        raise NotFound("No person with that id.")
    audit.record("read", "person", p.id)
    return person_json(p)
