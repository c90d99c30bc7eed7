"""A Tracker case's reflections and its goals' status (cic-tracker POST
/api/v1/tracker/cases/{id}/reflections, PATCH .../goals/{goal_id}): a Type 2 practicum completes
with a reflection for each case (DOMAIN "Rulings" -> "Practitioner roles"), and a goal moves from
open to in progress, achieved or dropped. The practitioner (or the assigned overseer, as
cic-tracker allows) writes; anyone else is refused by cic-tracker (404). The case page
(pages/cases.py) shows both; a refusal comes back to it as a message naming the reason."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from ..forms import text
from ..plumbing import api, bp, refusal, signed_in

GOAL_STATUSES = ("open", "in_progress", "achieved", "dropped")  # the choices the case page offers


def _back(case_id: str, anchor: str):
    return redirect(url_for("portal.case", case_id=case_id, _anchor=anchor))


@bp.post("/tracker/cases/<case_id>/reflections")
@signed_in
def add_reflection(case_id: str):
    body = text("text", 4000)
    if not body:
        flash("Write the reflection before adding it.", "error")
        return _back(case_id, "reflections")
    r = api().post(f"/api/v1/tracker/cases/{case_id}/reflections", {"text": body})
    if r.status == 404:
        abort(404)
    if not r.ok:
        flash(refusal(r), "error")
        return _back(case_id, "reflections")
    flash("Reflection added.", "success")
    return _back(case_id, "reflections")


@bp.post("/tracker/cases/<case_id>/goals/<goal_id>/status")
@signed_in
def goal_status(case_id: str, goal_id: str):
    status = text("status", 20)
    if status not in GOAL_STATUSES:
        flash("Choose the goal's new status.", "error")
        return _back(case_id, "goals")
    r = api().patch(f"/api/v1/tracker/cases/{case_id}/goals/{goal_id}", {"status": status})
    if r.status == 404:
        abort(404)
    if not r.ok:
        flash(refusal(r), "error")
        return _back(case_id, "goals")
    flash("Goal status updated: " + status.replace("_", " ") + ".", "success")
    return _back(case_id, "goals")
