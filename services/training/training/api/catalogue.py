"""The public catalogue: courses, practitioner roles, microproject package types."""
from __future__ import annotations

from imatter_shared.web.api import Blueprint

from ..rules.catalogue import COURSES, PACKAGE_TYPES
from ..rules.roles import ROLES, role_json
from ._people_common import PageArgs, paged

blp = Blueprint("catalogue", __name__, url_prefix="/api/v1/catalogue",
                description="Courses, practitioner roles and package types (public)")


@blp.route("/courses")
@blp.arguments(PageArgs, location="query")
@blp.response(200)
def courses(args):
    """Every course with its level and price (pence). `price_status: placeholder` marks fees the
    seeds do not publish."""
    return paged([{**c, "currency": "GBP"} for c in COURSES], args)


@blp.route("/roles")
@blp.arguments(PageArgs, location="query")
@blp.response(200)
def roles(args):
    """The six practitioner roles: requirements (code, title, price, quantity) and what each enables."""
    return paged([role_json(r) for r in ROLES], args)


@blp.route("/packages")
@blp.arguments(PageArgs, location="query")
@blp.response(200)
def packages(args):
    """Microproject package types 1-4: contents and prices; they need an Enhanced Practice Licence."""
    return paged([{**p, "currency": "GBP", "requires": ["enhanced_licence"]} for p in PACKAGE_TYPES], args)
