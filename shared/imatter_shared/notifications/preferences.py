"""Reading and changing a recipient's notification preferences (shared by the services' APIs)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from imatter_shared.notifications import NotifyWiring
from imatter_shared.web.errors import InvalidInput


class PreferencesIn(Schema):
    non_essential_email = fields.Boolean(required=False)
    disabled_kinds = fields.List(
        fields.String(validate=validate.Length(max=60)), required=False, validate=validate.Length(max=50)
    )


class KindOut(Schema):
    code = fields.String()
    title = fields.String()
    essential = fields.Boolean()
    enabled = fields.Boolean()


class PreferencesOut(Schema):
    """What `view` answers; each service adds who the preferences belong to."""

    non_essential_email = fields.Boolean()
    disabled_kinds = fields.List(fields.String())
    kinds = fields.List(fields.Nested(KindOut))
    updated_at = fields.String(allow_none=True, metadata={"format": "date-time"})


def view(wiring: NotifyWiring, recipient: str) -> dict[str, Any]:
    p = wiring.db.session.get(wiring.Preference, recipient)
    on = True if p is None else bool(p.non_essential_email)
    disabled = [] if p is None else list(p.disabled_kinds or [])
    return {
        "non_essential_email": on,
        "disabled_kinds": disabled,
        "kinds": [
            {
                "code": k.code,
                "title": k.title,
                "essential": k.essential,
                "enabled": k.essential or (on and k.code not in disabled),
            }
            for k in wiring.kinds.values()
        ],
        "updated_at": None if p is None else p.updated_at.isoformat().replace("+00:00", "Z"),
    }


def update(wiring: NotifyWiring, recipient: str, data: dict) -> dict[str, Any]:
    """Essential kinds cannot be turned off: naming one is a 400, as is an unknown kind."""
    disabled = data.get("disabled_kinds")
    if disabled is not None:
        unknown = [k for k in disabled if k not in wiring.kinds]
        essential = [k for k in disabled if k in wiring.kinds and wiring.kinds[k].essential]
        problems = [f"Unknown kind {k!r}." for k in unknown] + [
            f"{k!r} is essential (security) email and always sent." for k in essential
        ]
        if problems:
            raise InvalidInput(
                "disabled_kinds",
                detail="Those notifications cannot be turned off.",
                errors={"disabled_kinds": problems},
            )
    session = wiring.db.session
    p = session.get(wiring.Preference, recipient)
    if p is None:
        p = wiring.Preference(recipient=recipient, non_essential_email=True, disabled_kinds=[])
        session.add(p)
    if "non_essential_email" in data:
        p.non_essential_email = bool(data["non_essential_email"])
    if disabled is not None:
        p.disabled_kinds = sorted(set(disabled))
    session.flush()
    return view(wiring, recipient)
