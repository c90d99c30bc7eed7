"""The learner's personal resource licence (seed 001 i: "A professional or parent who accesses our
Level 1 Foundation or Level 2 Intermediate training ... has a licence to use the resources to help
themselves and their own family and immediate pupils or patients or clients"), over training's
GET /api/v1/people/{id}/resource-licence: whether they hold it, on which courses, what it allows
and what it does not (training's own wording). Only the person reads it."""

from __future__ import annotations

from flask import render_template

from ..plumbing import api, bp, gaps, me, signed_in, soft


@bp.get("/learning/resource-licence")
@signed_in
def resource_licence():
    user = me()
    lic = None
    if user.get("person_id"):
        r = soft(lambda: api().get(f"/api/v1/people/{user['person_id']}/resource-licence"))
        lic = r.data if r else None
    return render_template(
        "portal/resource_licence.html", title="My resource licence", user=user, lic=lic, gaps=gaps()
    )
