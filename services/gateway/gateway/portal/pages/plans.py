"""Microproject planning tools (decision 0063) and the Microproject Practice Guidelines (decision
0064): the practitioner's plan editor for one microproject (package), the supporter's accept or
decline, the list of plans a person supports, and the guidelines page with its Acknowledge button.
Plans are held by I Matter Training: no case data ever (the form says so)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for

from ..forms import FormState, text
from ..plumbing import api, bp, me, signed_in, soft

STEP_ROWS, DATE_ROWS = 6, 3
STATUSES = [("planned", "Planned"), ("in_progress", "In progress"), ("done", "Done"), ("dropped", "Dropped")]


def _values(plan: dict | None) -> dict:
    """The form's fields from a saved plan (blank rows to add steps and dates)."""
    plan = plan or {}
    values = {"idea": plan.get("idea", "")}
    for i in range(3):
        areas = plan.get("focus_areas") or []
        values[f"focus_area_{i + 1}"] = areas[i] if i < len(areas) else ""
    steps = plan.get("steps") or []
    for i in range(STEP_ROWS):
        values[f"step_text_{i + 1}"] = steps[i]["text"] if i < len(steps) else ""
        values[f"step_status_{i + 1}"] = steps[i]["status"] if i < len(steps) else "planned"
    dates = plan.get("review_dates") or []
    for i in range(DATE_ROWS):
        values[f"review_date_{i + 1}"] = dates[i] if i < len(dates) else ""
    return values


def _posted() -> tuple[dict, dict]:
    """(form values, API body) from the posted form; blank rows are left out."""
    values = {"idea": text("idea", 2000)}
    values.update({f"focus_area_{i}": text(f"focus_area_{i}", 200) for i in (1, 2, 3)})
    steps = []
    for i in range(1, STEP_ROWS + 1):
        values[f"step_text_{i}"] = text(f"step_text_{i}", 300)
        values[f"step_status_{i}"] = text(f"step_status_{i}", 20) or "planned"
        if values[f"step_text_{i}"]:
            steps.append({"text": values[f"step_text_{i}"], "status": values[f"step_status_{i}"]})
    values.update({f"review_date_{i}": text(f"review_date_{i}", 10) for i in range(1, DATE_ROWS + 1)})
    body = {
        "idea": values["idea"],
        "focus_areas": [values[f"focus_area_{i}"] for i in (1, 2, 3) if values[f"focus_area_{i}"]],
        "steps": steps,
        "review_dates": [
            values[f"review_date_{i}"] for i in range(1, DATE_ROWS + 1) if values[f"review_date_{i}"]
        ],
    }
    return values, body


def _field_names(form: FormState) -> FormState:
    """The API's field names (`steps.0.text`, `focus_areas`) onto the form's inputs."""
    for field in list(form.errors):
        parts = field.split(".")
        if field == "focus_areas":
            form.errors["focus_area_1"] = form.errors.pop(field)
        elif field == "review_dates" or field.startswith("review_dates."):
            form.errors.setdefault("review_date_1", []).extend(form.errors.pop(field))
        elif parts[0] == "steps" and len(parts) == 3 and parts[1].isdigit():
            form.errors[f"step_{parts[2]}_{int(parts[1]) + 1}"] = form.errors.pop(field)
    return form


def _page(package_id: str, form: FormState, status: int = 200):
    r = api().get(f"/api/v1/packages/{package_id}/plan")
    plan = r.data if r.ok else None
    if plan is None and r.status != 404:
        abort(r.status if r.status in (401, 403) else 404)
    view = (plan or {}).get("view", "full")
    candidates = []
    if plan is None or (view == "full" and plan.get("practitioner_id") == me().get("person_id")):
        # only the package's practitioner gets the candidates (404 for anyone else): with no plan
        # yet, this is also what tells the practitioner's empty form from someone else's package
        c = api().get(f"/api/v1/packages/{package_id}/plan/supporter-candidates", per_page=100)
        if plan is None and not c.ok:
            abort(404)
        candidates = c.items() if c.ok else []
    if not form.values:
        form.values = _values(plan)
    return render_template(
        "portal/microproject_plan.html",
        package_id=package_id,
        plan=plan,
        view=view,
        mine=plan is None or plan.get("practitioner_id") == me().get("person_id"),
        form=form,
        candidates=candidates,
        step_rows=STEP_ROWS,
        date_rows=DATE_ROWS,
        statuses=STATUSES,
    ), status


@bp.get("/microprojects/<package_id>/plan")
@signed_in
def microproject_plan(package_id: str):
    return _page(package_id, FormState())


@bp.post("/microprojects/<package_id>/plan")
@signed_in
def microproject_plan_save(package_id: str):
    values, body = _posted()
    r = api().put(f"/api/v1/packages/{package_id}/plan", body)
    if r.ok:
        flash("Plan saved.", "success")
        return redirect(url_for("portal.microproject_plan", package_id=package_id))
    if r.status == 404:
        abort(404)
    return _page(package_id, _field_names(FormState(values).from_result(r)), 409 if r.status == 409 else 400)


@bp.post("/microprojects/<package_id>/plan/supporter")
@signed_in
def microproject_plan_supporter(package_id: str):
    r = api().put(f"/api/v1/packages/{package_id}/plan/supporter", {"person_id": text("person_id", 32)})
    flash(
        "Asked: the plan shows as supported once they accept." if r.ok else f"Not asked: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.microproject_plan", package_id=package_id, _anchor="supporter"))


@bp.post("/microprojects/<package_id>/plan/supporter/end")
@signed_in
def microproject_plan_supporter_end(package_id: str):
    """The practitioner stops asking (a request not answered yet) or ends the support: the supporter
    no longer sees the plan."""
    r = api().delete(f"/api/v1/packages/{package_id}/plan/supporter")
    if r.status == 404:
        abort(404)
    flash(
        "Done: they no longer see your plan. You may ask someone else."
        if r.ok
        else f"Not changed: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.microproject_plan", package_id=package_id, _anchor="supporter"))


@bp.post("/microprojects/<package_id>/plan/supporter/<answer>")
@signed_in
def microproject_plan_answer(package_id: str, answer: str):
    if answer not in ("accept", "decline"):
        abort(404)
    r = api().post(f"/api/v1/packages/{package_id}/plan/supporter/{answer}")
    done = "accepted" if answer == "accept" else "declined"
    flash(
        f"You {done} supporting this plan." if r.ok else f"Not {done}: {r.detail}",
        "success" if r.ok else "error",
    )
    if r.ok and answer == "accept":
        return redirect(url_for("portal.microproject_plan", package_id=package_id))
    return redirect(url_for("portal.supporting"))


@bp.get("/supporting")
@signed_in
def supporting():
    pid = me().get("person_id")
    r = soft(lambda: api().get(f"/api/v1/people/{pid}/supported-plans", per_page=100)) if pid else None
    return render_template("portal/supporting.html", plans=r.items() if r else [])


@bp.route("/practice-guidelines", methods=["GET", "POST"])
def practice_guidelines():
    """Public to read; a signed-in practitioner acknowledges the version in force. `?version=N`
    shows a past version (read only), linked from the list of versions."""
    past = request.args.get("version", type=int) if request.method == "GET" else None
    if past is not None:
        r = api().get(f"/api/v1/practice-guidelines/{past}")
        if not r.ok:
            abort(404)
        if not r.data.get("current"):
            return render_template("portal/practice_guidelines.html", guidelines=r.data, past=True)
    r = api().get("/api/v1/practice-guidelines/current")
    guidelines = r.data if r.ok else None
    versions = soft(lambda: api().get("/api/v1/practice-guidelines", per_page=100))
    user = me() if session.get("token") or request.method == "POST" else None
    if request.method == "POST":
        if not guidelines:
            abort(404)
        a = api().post(f"/api/v1/practice-guidelines/{guidelines['version']}/acknowledgements")
        flash(
            f"You acknowledged version {guidelines['version']} of the guidelines."
            if a.ok
            else f"Not recorded: {a.detail}",
            "success" if a.ok else "error",
        )
        return redirect(url_for("portal.practice_guidelines"))
    acknowledged = False
    if user and user.get("person_id") and guidelines:
        acks = soft(lambda: api().get(f"/api/v1/people/{user['person_id']}/guidelines-acknowledgements"))
        acknowledged = any(a.get("current") for a in (acks.items() if acks else []))
    return render_template(
        "portal/practice_guidelines.html",
        guidelines=guidelines,
        user=user,
        acknowledged=acknowledged,
        past_versions=[v for v in (versions.items() if versions else []) if not v.get("current")],
    )


@bp.get("/organisations/<org_id>/plans")
@signed_in
def organisation_plans(org_id: str):
    """The organisation's admins: which microprojects have a plan, and their review dates only."""
    r = api().get(f"/api/v1/organisations/{org_id}/microproject-plans", per_page=100)
    if not r.ok:
        abort(404)
    return render_template("portal/organisation_plans.html", org_id=org_id, plans=r.items())
