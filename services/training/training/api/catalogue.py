"""The public catalogue: courses, practitioner roles, microproject package types."""
from __future__ import annotations

from imatter_shared.web.api import Blueprint

from ..rules.catalogue import COURSES, PACKAGE_TYPES
from ..rules.roles import ROLES, role_json

blp = Blueprint("catalogue", __name__, url_prefix="/api/v1/catalogue",
                description="Courses, practitioner roles and package types (public)")


def _all(items: list) -> dict:
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@blp.route("/courses")
@blp.response(200)
def courses():
    """Every course with its level and price (pence). `price_status: placeholder` marks fees the
    seeds do not publish."""
    return _all([{**c, "currency": "GBP"} for c in COURSES])


@blp.route("/roles")
@blp.response(200)
def roles():
    """The six practitioner roles: requirements (code, title, price, quantity) and what each enables."""
    return _all([role_json(r) for r in ROLES])


@blp.route("/packages")
@blp.response(200)
def packages():
    """Microproject package types 1-4: contents and prices; they need an Enhanced Practice Licence."""
    return _all([{**p, "currency": "GBP", "requires": ["enhanced_licence"]} for p in PACKAGE_TYPES])
