"""The CIC's page (Relationship Health Matters CIC): consultations (requested by anyone,
scheduled and completed by CIC staff) and the fund's rounds, reviews and decisions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from .. import reference
from ..forms import checkbox, integer, text
from ..plumbing import api, bp, gaps, has_role, local_next, refusal, require_role, signed_in, soft


@bp.get("/cic")
@signed_in
def cic():
    """CIC staff and reviewers work here; anyone else sees their own consultations and fund
    applications (the CIC's emails link here: a scheduled consultation, a fund decision)."""
    a = api()
    staff, reviewer = has_role("cic_staff"), has_role("fund_reviewer")
    consultations = soft(lambda: a.get("/api/v1/consultations", per_page=100))
    rounds = soft(lambda: a.get("/api/v1/fund/rounds", per_page=100))
    applications = soft(lambda: a.get("/api/v1/fund/applications", per_page=100))
    summary = soft(lambda: a.get("/api/v1/evaluation/summary")) if staff or reviewer else None
    scale = reference.review_scale() if reviewer else None
    return render_template(
        "portal/cic.html",
        consultations=consultations.items() if consultations else [],
        rounds=rounds.items() if rounds else [],
        applications=applications.items() if applications else [],
        summary=summary.data if summary else None,
        staff=staff,
        reviewer=reviewer,
        review_label="Review score" + (f" ({scale['min']}–{scale['max']})" if scale else ""),
        review_attrs=reference.scale_attrs(scale),
        gaps=gaps(),
    )


@bp.post("/cic/consultations")
@signed_in
def request_consultation():
    body = {"for_kind": text("for_kind", 20), "purpose": text("purpose", 2000)}
    r = api().post("/api/v1/consultations", body)
    flash(
        "Consultation requested." if r.ok else f"Not requested: {refusal(r)}", "success" if r.ok else "error"
    )
    return redirect(local_next(request.form.get("next"), url_for("portal.cic")))


@bp.post("/cic/consultations/<cid>/<action>")
@signed_in
def consultation_action(cid: str, action: str):
    """Staff schedule and complete; the requester (or staff) may cancel."""
    if action not in ("schedule", "complete", "cancel"):
        abort(404)
    if action != "cancel" and not has_role("cic_staff"):
        abort(403, description="This page is for cic staff.")
    body = {"scheduled_for": text("scheduled_for", 40)} if action == "schedule" else {}
    r = api().post(f"/api/v1/consultations/{cid}/{action}", body)
    past = {"schedule": "scheduled", "complete": "completed", "cancel": "cancelled"}[action]
    flash(f"Consultation {past}." if r.ok else f"Not {past}: {refusal(r)}", "success" if r.ok else "error")
    return redirect(url_for("portal.cic", _anchor="consultations"))


@bp.post("/cic/rounds/<round_id>/close")
@require_role("cic_staff")
def close_round(round_id: str):
    r = api().post(f"/api/v1/fund/rounds/{round_id}/close")
    flash(
        "Round closed; its applications are ready for decision." if r.ok else f"Not closed: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.cic", _anchor="fund"))


@bp.post("/cic/applications/<app_id>/reviews")
@require_role("fund_reviewer")
def review_application(app_id: str):
    r = api().post(
        f"/api/v1/fund/applications/{app_id}/reviews",
        {
            "score": integer("score", -1),
            "comment": text("comment", 2000),
            "no_conflict": checkbox("no_conflict"),
        },
    )
    flash("Review recorded." if r.ok else f"Not recorded: {refusal(r)}", "success" if r.ok else "error")
    return redirect(url_for("portal.cic", _anchor="fund"))


@bp.post("/cic/applications/<app_id>/decision")
@require_role("cic_staff", "fund_reviewer")
def decide_application(app_id: str):
    body = {"outcome": text("outcome", 20)}
    if text("note", 2000):
        body["note"] = text("note", 2000)
    r = api().post(f"/api/v1/fund/applications/{app_id}/decision", body)
    flash(
        f"Decision recorded: {body['outcome']}." if r.ok else f"Not recorded: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.cic", _anchor="fund"))
