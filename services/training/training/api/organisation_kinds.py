"""The organisation-kind policy table (DOMAIN "Rulings" -> Organisation kinds) as public data:
what each kind of organisation may not buy or hold, and the rule that says so. The portal's
"ten elements" page shows this, so the table lives in one place (rules/policy.py)."""

from __future__ import annotations

from imatter_shared.web.api import Blueprint

from ..rules import policy
from .schemas.catalogue import OrganisationKindsOut

blp = Blueprint(
    "organisation_kinds",
    __name__,
    url_prefix="/api/v1/catalogue",
    description="The organisation-kind policy table (public)",
)


@blp.route("/organisation-kinds")
@blp.response(200, OrganisationKindsOut)
def organisation_kinds():
    """`{actions: [{action, description}], kinds: [{kind, holds, forbidden: [{action, rule}]}]}`:
    every sale checks this table and refuses with 409 `unmet: ["policy:<action>"]` naming the rule."""
    return policy.table()
