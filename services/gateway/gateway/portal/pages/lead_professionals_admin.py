"""Training admins' pages for the Lead Professional route (/api/v1/lead-professionals/...):
review applications, record the interview outcome, move an application on (ending a year early
only with a reason, kept on the record), agree the action plan outline, see the obligations and
the log book."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from .. import reference
from ..forms import FormState, checkbox, interview_body, interview_form, text
from ..plumbing import api, bp, gaps, require_role, soft
from ..reads import LP_API, lp_application, lp_extras, refused_status


@bp.get("/admin/lead-professionals")
@require_role("training_admin")
def admin_lead_professionals():
    state = (request.args.get("state") or "").strip()[:20]
    states = reference.lead_professional_route()["states"]
    state = state if state in states else ""
    r = soft(lambda: api().get(f"{LP_API}/applications", state=state or None, per_page=100))
    return render_template(
        "portal/admin_lead_professionals.html",
        title="Lead Professional applications",
        apps=r.items() if r else None,
        state=state,
        states=states,
        gaps=gaps(),
    )


def _render_admin_one(aid: str, forms: dict | None = None, status: int = 200):
    a = lp_application(aid)
    forms = forms or {}
    return render_template(
        "portal/admin_lead_professional.html",
        title="Lead Professional application",
        a=a,
        states=reference.lead_professional_route()["states"],
        interview_form=forms.get("interview") or FormState(),
        advance_form=forms.get("advance") or FormState(),
        plan_form=forms.get("plan") or FormState(),
        gaps=gaps(),
        **lp_extras(a),
    ), status


@bp.get("/admin/lead-professionals/<aid>")
@require_role("training_admin")
def admin_lead_professional(aid: str):
    return _render_admin_one(aid)


@bp.post("/admin/lead-professionals/<aid>/interview")
@require_role("training_admin")
def admin_lead_professional_interview(aid: str):
    form = interview_form()
    if form.failed:
        return _render_admin_one(aid, {"interview": form}, 400)
    r = api().post(f"{LP_API}/applications/{aid}/interview", interview_body(form))
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render_admin_one(aid, {"interview": form.from_result(r)}, refused_status(r))
    flash(
        "Interview outcome recorded: "
        + (
            "the trainee year starts today."
            if form.get("outcome") == "passed"
            else "the application is declined."
        ),
        "success",
    )
    return redirect(url_for("portal.admin_lead_professional", aid=aid))


@bp.post("/admin/lead-professionals/<aid>/advance")
@require_role("training_admin")
def admin_lead_professional_advance(aid: str):
    """Move on to the next year or approve; before the year's date only with override and a reason."""
    override, reason, from_state = checkbox("override"), text("reason", 1000), text("from_state", 20)
    form = FormState({"override": override, "reason": reason})
    if override and not reason:
        form.add("reason", "Say why the year is ended early: the reason is kept on the record.")
    if form.failed:
        return _render_admin_one(aid, {"advance": form}, 400)
    body = {
        "override": override,
        **({"reason": reason} if reason else {}),
        **({"from_state": from_state} if from_state in ("trainee", "implementation") else {}),
    }
    r = api().post(f"{LP_API}/applications/{aid}/advance", body)
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render_admin_one(aid, {"advance": form.from_result(r)}, refused_status(r))
    flash(
        "Now: "
        + reference.lead_professional_route()["states"].get((r.data or {}).get("state"), "moved on")
        + ".",
        "success",
    )
    return redirect(url_for("portal.admin_lead_professional", aid=aid))


@bp.post("/admin/lead-professionals/<aid>/action-plan")
@require_role("training_admin")
def admin_lead_professional_plan(aid: str):
    """Record that I Matter Training agreed the trainee's action plan outline."""
    form = FormState({"note": text("note", 500)})
    r = api().post(
        f"{LP_API}/applications/{aid}/obligations/action_plan_outline/records",
        {"note": form.get("note") or None},
    )
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render_admin_one(aid, {"plan": form.from_result(r)}, refused_status(r))
    flash("Action plan outline recorded as agreed.", "success")
    return redirect(url_for("portal.admin_lead_professional", aid=aid))
