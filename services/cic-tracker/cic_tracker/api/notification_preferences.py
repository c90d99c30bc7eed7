"""The caller's email preferences in cic-tracker, keyed by their user id: they can
turn non-essential email off, all at once or kind by kind. Each organisation keeps its own
preferences (training has /api/v1/people/{id}/notification-preferences)."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.notifications import preferences, wiring_of
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import current_principal, require_auth

from ..extensions import db
from ..models import NotificationContact

blp = Blueprint(
    "cic_notification_preferences",
    __name__,
    url_prefix="/api/v1/cic",
    description="Notification preferences (CIC)",
)


def _out(user_id: str) -> dict:
    contact = db.session.get(NotificationContact, user_id)
    return {
        "user_id": user_id,
        "email": contact.email if contact else None,
        **preferences.view(wiring_of(), user_id),
    }


class PreferencesOut(preferences.PreferencesOut):
    user_id = fields.String()
    email = fields.String(allow_none=True)


@blp.route("/notification-preferences", methods=["GET"])
@require_auth
@blp.response(200, PreferencesOut)
def get_preferences():
    """Which emails from the CIC the caller receives (every kind on until they say otherwise)."""
    return _out(current_principal().user_id)


@blp.route("/notification-preferences", methods=["PUT"])
@require_auth
@blp.arguments(preferences.PreferencesIn)
@blp.response(200, PreferencesOut)
def put_preferences(data):
    """`non_essential_email: false` turns off every non-essential email; `disabled_kinds`
    turns off kinds one by one."""
    user_id = current_principal().user_id
    preferences.update(wiring_of(), user_id, data)
    db.session.commit()
    return _out(user_id)
