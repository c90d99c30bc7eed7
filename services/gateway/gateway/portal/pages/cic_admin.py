"""CIC staff pages for what was API only (portal coverage gaps of issue 21; domain review: "no
portal page for the round summary", "configure assessment areas"):

- a Fund round's summary (cic-tracker GET /api/v1/fund/rounds/{id}/summary): counts by outcome,
  amounts requested and awarded, each application with its reviews and average score; for CIC
  staff and fund reviewers;
- the I Matter Q registration consultations booked from training's orders (GET
  /api/v1/cic/q-registrations), CIC staff;
- the Tracker's assessment areas (GET/POST /api/v1/tracker/areas, PATCH .../{code}): add an area,
  rename it, retire it from new assessments (nothing recorded is changed); CIC staff only.

cic-tracker decides who may; a refusal is shown with its reason and changes nothing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..forms import FormState, integer, text
from ..plumbing import api, bp, gaps, refusal, require_role, soft
from ..reads import refused_status


@bp.get("/cic/rounds/<round_id>")
@require_role("cic_staff", "fund_reviewer")
def round_summary(round_id: str):
    r = api().get(f"/api/v1/fund/rounds/{round_id}/summary")
    if r.status == 404:
        abort(404)
    return render_template(
        "portal/cic_round.html", title="Fund round summary", s=r.data if r.ok else None, gaps=gaps()
    )


@bp.get("/cic/q-registrations")
@require_role("cic_staff")
def cic_q_registrations():
    """The I Matter Q registration consultations booked from training's orders, with the state of
    the Priorities Consultation each opened (ids only: the person is reached through the booking)."""
    r = soft(lambda: api().get("/api/v1/cic/q-registrations", per_page=100))
    return render_template(
        "portal/cic_q_registrations.html",
        title="Q registration consultations",
        bookings=r.items() if r else None,
        gaps=gaps(),
    )


def _render_areas(form: FormState | None = None, status: int = 200):
    r = soft(lambda: api().get("/api/v1/tracker/areas", per_page=100))
    return render_template(
        "portal/cic_areas.html",
        title="Assessment areas",
        areas=r.items() if r else None,
        form=form or FormState({"position": "0"}),
        gaps=gaps(),
    ), status


@bp.get("/cic/areas")
@require_role("cic_staff")
def cic_areas():
    return _render_areas()


@bp.post("/cic/areas")
@require_role("cic_staff")
def cic_area_add():
    form = FormState({"code": text("code", 40), "label": text("label", 200), "position": text("position", 6)})
    position = integer("position", 0)
    if not form.get("label"):
        form.add("label", "Give the area's name as practitioners see it.")
    if position is None:
        form.add("position", "Give a whole number (its place in the list).")
    if form.failed:
        return _render_areas(form, 400)
    r = api().post(
        "/api/v1/tracker/areas", {"code": form.get("code"), "label": form.get("label"), "position": position}
    )
    if not r.ok:
        return _render_areas(form.from_result(r), refused_status(r))
    flash(f"Area “{form.get('label')}” added: new assessments can score it.", "success")
    return redirect(url_for("portal.cic_areas"))


@bp.post("/cic/areas/<code>")
@require_role("cic_staff")
def cic_area_change(code: str):
    body = {}
    if text("label", 200):
        body["label"] = text("label", 200)
    if text("active", 5) in ("yes", "no"):
        body["active"] = text("active", 5) == "yes"
    if not body:
        flash("Nothing to change: give a new name or retire the area.", "error")
        return redirect(url_for("portal.cic_areas"))
    r = api().patch(f"/api/v1/tracker/areas/{code}", body)
    if r.status == 404:
        abort(404)
    if not r.ok:
        flash(refusal(r), "error")
    elif body.get("active") is False:
        flash("Area retired: new assessments no longer score it; recorded scores stay.", "success")
    else:
        flash("Area changed.", "success")
    return redirect(url_for("portal.cic_areas"))
