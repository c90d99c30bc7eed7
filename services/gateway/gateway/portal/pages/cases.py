"""A Tracker case (cic-tracker): scores per area (baseline and follow-ups) with the progress
they show, goals, the formal Q and the personalised wellbeing wheel, and consent withdrawal."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from .. import reference
from ..forms import FormState, text
from ..plumbing import api, bp, signed_in, soft
from ..questionnaires import CASE_TOOLS, case_tools, current_version, read_answers
from ..reads import areas, case_of


def progress_rows(data) -> list[dict]:
    """Per-area rows (area, baseline, latest, change) from cic-tracker's progress answer, whose
    `areas` lists {area, label, baseline, latest, change} for each area scored."""
    if not isinstance(data, dict):
        return []
    return [
        {
            "area": a.get("label") or a.get("area"),
            "baseline": a.get("baseline"),
            "latest": a.get("latest"),
            "change": a.get("change"),
        }
        for a in data.get("areas") or []
        if isinstance(a, dict)
    ]


def _next_kind(case: dict) -> str:
    counts = case.get("counts") if isinstance(case.get("counts"), dict) else {}
    return "follow_up" if counts.get("baselines") else "baseline"


def _render_case(case_id: str, assessment=None, goal=None, status=200, tools=None):
    case = case_of(case_id)
    scale = reference.tracker_scale()
    progress = soft(lambda: api().get(f"/api/v1/tracker/cases/{case_id}/progress"))
    return render_template(
        "portal/case.html",
        case=case,
        areas=areas(),
        tools=case_tools(case_id, tools),
        areas_progress=progress_rows(progress.data) if progress else [],
        has_progress=bool(progress),
        assessment=assessment or FormState({"kind": _next_kind(case)}),
        goal=goal or FormState(),
        scale=scale,
        score_attrs=reference.scale_attrs(scale),
        area_note=f"Name up to three areas and score each{reference.scale_words(scale)}.",
    ), status


@bp.get("/tracker/cases/<case_id>")
@signed_in
def case(case_id: str):
    return _render_case(case_id)


@bp.post("/tracker/cases/<case_id>/assessments")
@signed_in
def record_assessment(case_id: str):
    form = FormState({"kind": text("kind", 20), "notes": text("notes", 4000)})
    scores: dict[str, int] = {}
    scale = reference.tracker_scale()  # unknown (cic not answering): the API checks the range
    wrong = f"Enter a whole number{reference.scale_words(scale)}."
    for key, raw in request.form.items():
        name = None
        if key.startswith("score."):
            name = key[6:]
        elif key.startswith("area_name_") and raw.strip():
            name = raw.strip()[:60]
            raw = request.form.get("area_score_" + key.removeprefix("area_name_"), "")
        if name is None:
            continue
        form.values[key] = raw
        if raw.strip() == "":
            continue
        try:
            value = int(raw)
        except ValueError:
            form.add(key, wrong)
            continue
        if scale and not scale["min"] <= value <= scale["max"]:
            form.add(key, wrong)
        scores[name] = value
    if not scores and not form.failed:
        form.add("scores", "Score at least one area.")
    if not form.failed:
        body = {"kind": form.get("kind"), "scores": scores}
        if form.get("notes"):
            body["notes"] = form.get("notes")
        r = api().post(f"/api/v1/tracker/cases/{case_id}/assessments", body)
        if r.ok:
            flash(
                f"{'Baseline' if form.get('kind') == 'baseline' else 'Follow-up'} recorded; one Tracker credit used.",
                "success",
            )
            return redirect(url_for("portal.case", case_id=case_id, _anchor="progress"))
        form.from_result(r)
        for k in list(form.errors):
            if k.startswith("scores."):
                form.errors["score." + k[7:]] = form.errors.pop(k)
    return _render_case(
        case_id, assessment=form, status=409 if form.unmet or "credit" in (form.detail or "") else 400
    )


@bp.post("/tracker/cases/<case_id>/goals")
@signed_in
def add_goal(case_id: str):
    form = FormState({"text": text("text", 2000), "status": text("status", 20) or "open"})
    r = api().post(
        f"/api/v1/tracker/cases/{case_id}/goals", {"text": form.get("text"), "status": form.get("status")}
    )
    if r.ok:
        flash("Goal added.", "success")
        return redirect(url_for("portal.case", case_id=case_id, _anchor="goals"))
    return _render_case(case_id, goal=form.from_result(r), status=400)


@bp.post("/tracker/cases/<case_id>/withdraw")
@signed_in
def withdraw_consent(case_id: str):
    r = api().post(f"/api/v1/tracker/cases/{case_id}/consent/withdraw")
    flash(
        "Consent withdrawn; the case's data is erased as the policy says."
        if r.ok
        else f"Not withdrawn: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.tracker"))


@bp.get("/tracker/cases/<case_id>/progress.svg")
@signed_in
def progress_svg(case_id: str):
    """The CIC's chart, fetched with the user's token; served as an image (scripts in an <img>
    never run) with the same headers as any case page."""
    r = api().svg(f"/api/v1/tracker/cases/{case_id}/progress?format=svg")
    if r.status in (403, 404):
        abort(404)
    if not r.ok or "svg" not in r.content_type:
        abort(404)
    resp = Response(r.content, mimetype="image/svg+xml")
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    return resp


@bp.post("/tracker/cases/<case_id>/tools/<tool>")
@signed_in
def record_case_tool(case_id: str, tool: str):
    spec = next((t for t in CASE_TOOLS if t[0] == tool), None) or abort(404)
    key, instrument, collection, heading = spec
    current, reason = current_version(f"/api/v1/cic/questionnaires/{instrument}/current")
    form = FormState({"notes": text("notes", 5000)})
    if current is None:
        form.detail = reason
        return _render_case(case_id, tools={key: form}, status=409)
    answers = read_answers(current, form)
    if not form.failed:
        body = {"answers": answers}
        if form.get("notes"):
            body["notes"] = form.get("notes")
        r = api().post(f"/api/v1/cic/cases/{case_id}/{collection}", body)
        if r.ok:
            flash(f"{heading} recorded on this case.", "success")
            return redirect(url_for("portal.case", case_id=case_id, _anchor=f"tool-{key}"))
        if r.status in (403, 404) and not r.errors:
            abort(404)
        form.from_result(r)
    return _render_case(case_id, tools={key: form}, status=409 if form.unmet else 400)
