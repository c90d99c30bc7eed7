"""A person's email preferences: non-essential email can be turned off, all at
once or kind by kind. Essential email (security) is not sent by training at all today, and
would go regardless."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.notifications import preferences, wiring_of
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth
from imatter_shared.web.errors import Forbidden, NotFound

from ..authz import require_person_access
from ..extensions import db
from ..models import Person

blp = Blueprint(
    "notification_preferences", __name__, url_prefix="/api/v1/people", description="Notification preferences"
)


def _person(person_id: str) -> Person:
    c = require_person_access(person_id)  # 404 for a person the caller may not see
    p = db.session.get(Person, person_id)
    if p is None:
        raise NotFound("No person with that id.")
    return c, p


def _out(p: Person) -> dict:
    return {"person_id": p.id, "email": p.email, **preferences.view(wiring_of(), p.id)}


class PreferencesOut(preferences.PreferencesOut):
    person_id = fields.String()
    email = fields.String(allow_none=True)


@blp.route("/<person_id>/notification-preferences", methods=["GET"])
@require_auth
@blp.response(200, PreferencesOut)
def get_preferences(person_id):
    """Which emails this person receives (every kind on until they say otherwise)."""
    _, p = _person(person_id)
    return _out(p)


@blp.route("/<person_id>/notification-preferences", methods=["PUT"])
@require_auth
@blp.arguments(preferences.PreferencesIn)
@blp.response(200, PreferencesOut)
def put_preferences(data, person_id):
    """Turn non-essential email off (`non_essential_email: false`) or off kind by kind
    (`disabled_kinds`). Only the person themself (or a training admin) may change it."""
    c, p = _person(person_id)
    if not (c.is_training_admin or c.person_id == p.id):
        raise Forbidden("Only the person themself may change their notification preferences.")
    preferences.update(wiring_of(), p.id, data)
    db.session.commit()
    return _out(p)
