"""The public catalogue: courses, practitioner roles, microproject package types."""

from __future__ import annotations

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import public

from ..rules.catalogue import COURSES, PACKAGE_TYPES
from ..rules.roles import ROLES
from .common import PageArgs, paged
from .conditional import NOT_MODIFIED
from .schemas.catalogue import CoursePage, PackageTypePage, RolePage

blp = Blueprint(
    "catalogue",
    __name__,
    url_prefix="/api/v1/catalogue",
    description="Courses, practitioner roles and package types (public)",
)


@blp.route("/courses")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, CoursePage)
@public
def courses(args):
    """Every course with its level, price (pence) and whether it needs an online L1-2 account
    (`online_account`), from the price book in force. A fee the seeds do not publish says so:
    `placeholder: true`, `placeholder_label`, `price_status: placeholder`."""
    return paged(list(COURSES), args)


@blp.route("/roles")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, RolePage)
@public
def roles(args):
    """The six practitioner roles: requirements (code, title, price, quantity) and what each enables."""
    return paged(list(ROLES), args)


@blp.route("/packages")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, PackageTypePage)
@public
def packages(args):
    """Microproject package types 1-4 from the price book in force: purpose, contents, online
    accounts, Tracker uses (`tracker_uses_per_case` per case, `tracker_uses` for 3 cases) and
    prices; they need an Enhanced Practice Licence."""
    return paged(list(PACKAGE_TYPES), args)
