"""A microproject used within a locality hub (cic-tracker POST /api/v1/tracker/microprojects/{id}/hub;
DOMAIN: hubs are "neutral, non-clinical containers the CIC oversees, for opt-in consultations and
baseline/follow-up use"): the practitioner, an admin of the organisation or CIC staff choose the
hub, or none. cic-tracker decides who may (403/404 otherwise) and which hub exists (its reason is
shown); nothing changes on a refusal. Linked from the microproject page (pages/tracker.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..forms import FormState, text
from ..plumbing import api, bp, gaps, signed_in, soft
from ..reads import refused_status


def _render(mp_id: str, form: FormState | None = None, status: int = 200):
    mp = api().get(f"/api/v1/tracker/microprojects/{mp_id}")
    if mp.status in (403, 404):
        abort(404)
    hubs = soft(lambda: api().get("/api/v1/hubs", per_page=100))
    current = (mp.data or {}).get("hub_id") if mp.ok else None
    return render_template(
        "portal/microproject_hub.html",
        title="Use within a hub",
        mp=mp.data if mp.ok else {"id": mp_id},
        hubs=hubs.items() if hubs else None,
        hub_options=[
            (h["id"], h["name"] + (f" ({h['locality']})" if h.get("locality") else ""))
            for h in (hubs.items() if hubs else [])
        ],
        form=form or FormState({"hub_id": current or ""}),
        current=current,
        gaps=gaps(),
    ), status


@bp.get("/tracker/microprojects/<mp_id>/hub")
@signed_in
def microproject_hub(mp_id: str):
    return _render(mp_id)


@bp.post("/tracker/microprojects/<mp_id>/hub")
@signed_in
def microproject_hub_set(mp_id: str):
    hub_id = text("hub_id", 32) or None
    r = api().post(f"/api/v1/tracker/microprojects/{mp_id}/hub", {"hub_id": hub_id})
    if r.status == 404:
        abort(404)
    if not r.ok:
        form = FormState({"hub_id": hub_id or ""}).from_result(r)
        return _render(mp_id, form, 403 if r.status == 403 else refused_status(r))
    flash(
        "The microproject now runs within that hub." if hub_id else "The microproject runs within no hub.",
        "success",
    )
    return redirect(url_for("portal.microproject", mp_id=mp_id))
