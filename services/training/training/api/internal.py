"""Endpoints for the gateway only (not routed publicly: the gateway forwards /api/v1/... alone)."""

from flask import Blueprint, jsonify

from ..authz import caller

bp = Blueprint("internal", __name__, url_prefix="/internal")


@bp.get("/principal")
def principal():
    """The caller's person, organisations and derived roles, for the gateway's /api/v1/me."""
    c = caller()
    return jsonify(
        person_id=c.person_id,
        organisation_ids=c.organisation_ids,
        admin_organisation_ids=sorted(c.admin_org_ids),
        roles=c.roles(),
    )
