"""Portal pages for Parent Mentors (seed 001: "some experienced parents positions as Level 3
advanced level Parent Mentor", offered "on the basis of application, references and interview";
decision 0058), over training's /api/v1/parent-mentors:

- the parent: what they still need to apply (from training's rule table), apply with a motivation
  and references, follow the application (interview outcome and note, decision), accept or turn
  down an offered place; a held place shows as their Parent Mentor role;
- training admins: the list of applications, one application with its references, the interview
  and the decision (offer or decline).

Only the person applies and answers an offer, only training admins interview and decide; the API
refuses anyone else (404/403) and these pages show what it answers.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..forms import FormState, interview_body, interview_form, text
from ..plumbing import api, bp, gaps, me, require_role, signed_in, soft
from ..reads import refused_status

PM_API = "/api/v1/parent-mentors"
STATES = {
    "applied": "Applied",
    "offered": "Place offered",
    "accepted": "Parent Mentor (place accepted)",
    "declined": "Declined",
    "turned_down": "Offer turned down",
}
REFERENCE_SLOTS = 3  # room for one referee more than the 2 training requires (layout, not a rule)


def _render_mine(form: FormState | None = None, status: int = 200):
    user = me()
    apps, eligibility = [], None
    if user.get("person_id"):
        r = soft(lambda: api().get(f"{PM_API}/applications", person_id=user["person_id"], per_page=20))
        apps = r.items() if r else []
        e = soft(lambda: api().get(f"{PM_API}/eligibility", person_id=user["person_id"]))
        eligibility = e.data if e else None
    current = next((a for a in reversed(apps) if a.get("state") in ("applied", "offered", "accepted")), None)
    return render_template(
        "portal/parent_mentor.html",
        title="Parent Mentor",
        user=user,
        apps=apps,
        current=current,
        eligibility=eligibility,
        states=STATES,
        slots=range(REFERENCE_SLOTS),
        form=form or FormState(),
        gaps=gaps(),
    ), status


@bp.get("/parent-mentor")
@signed_in
def parent_mentor():
    return _render_mine()


@bp.post("/parent-mentor/apply")
@signed_in
def parent_mentor_apply():
    user = me()
    if not user.get("person_id"):
        flash("Create your learner profile first (My account).", "error")
        return redirect(url_for("portal.account"))
    form = FormState({k: request.form.get(k, "") for k in request.form if k != "csrf_token"})
    refs = []
    for i in range(REFERENCE_SLOTS):
        name, rel, contact = (
            text(f"ref{i}_name", 200),
            text(f"ref{i}_relationship", 200),
            text(f"ref{i}_contact", 254),
        )
        if name or rel or contact:
            if not name:
                form.add(f"ref{i}_name", "Give the referee's name.")
            if not rel:
                form.add(f"ref{i}_relationship", "Say how the referee knows you.")
            refs.append({"name": name, "relationship": rel, **({"contact": contact} if contact else {})})
    if not text("motivation", 3000):
        form.add("motivation", "Say why you would like to be a Parent Mentor.")
    if form.failed:
        return _render_mine(form, 400)
    r = api().post(
        f"{PM_API}/applications",
        {"person_id": user["person_id"], "motivation": text("motivation", 3000), "references": refs},
    )
    if not r.ok:
        form.from_result(r)
        if "references" in form.errors:  # too few referees: shown at the first one
            form.errors.setdefault("ref0_name", []).extend(form.errors.pop("references"))
        return _render_mine(form, refused_status(r))
    flash("Application sent. I Matter Training will invite you to an interview.", "success")
    return redirect(url_for("portal.parent_mentor"))


@bp.post("/parent-mentor/<aid>/answer")
@signed_in
def parent_mentor_answer(aid: str):
    answer = text("answer", 20)
    if answer not in ("accept", "turn_down"):
        abort(400)
    r = api().post(f"{PM_API}/applications/{aid}/answer", {"answer": answer})
    if r.status == 404:
        abort(404)
    if not r.ok:
        flash(r.detail or "The offer could not be answered.", "error")
        return _render_mine(None, refused_status(r))
    flash(
        "Welcome: you are now a Parent Mentor." if answer == "accept" else "You turned the offer down.",
        "success",
    )
    return redirect(url_for("portal.parent_mentor"))


# -- training admins ---------------------------------------------------------------------------


@bp.get("/admin/parent-mentors")
@require_role("training_admin")
def admin_parent_mentors():
    state = (request.args.get("state") or "").strip()[:20]
    state = state if state in STATES else ""
    r = soft(lambda: api().get(f"{PM_API}/applications", state=state or None, per_page=100))
    return render_template(
        "portal/admin_parent_mentors.html",
        title="Parent Mentor applications",
        apps=r.items() if r else None,
        state=state,
        states=STATES,
        gaps=gaps(),
    )


def _render_admin_one(aid: str, forms: dict | None = None, status: int = 200):
    r = api().get(f"{PM_API}/applications/{aid}")
    if r.status == 404:
        abort(404)
    forms = forms or {}
    return render_template(
        "portal/admin_parent_mentor.html",
        title="Parent Mentor application",
        a=r.data if r.ok else None,
        states=STATES,
        interview_form=forms.get("interview") or FormState(),
        decision_form=forms.get("decision") or FormState(),
        gaps=gaps(),
    ), status


@bp.get("/admin/parent-mentors/<aid>")
@require_role("training_admin")
def admin_parent_mentor(aid: str):
    return _render_admin_one(aid)


@bp.post("/admin/parent-mentors/<aid>/interview")
@require_role("training_admin")
def admin_parent_mentor_interview(aid: str):
    form = interview_form()
    if form.failed:
        return _render_admin_one(aid, {"interview": form}, 400)
    r = api().post(f"{PM_API}/applications/{aid}/interview", interview_body(form))
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render_admin_one(aid, {"interview": form.from_result(r)}, refused_status(r))
    flash("Interview recorded. The applicant sees the outcome and your note.", "success")
    return redirect(url_for("portal.admin_parent_mentor", aid=aid))


@bp.post("/admin/parent-mentors/<aid>/decision")
@require_role("training_admin")
def admin_parent_mentor_decision(aid: str):
    outcome = text("outcome", 10)
    form = FormState({"outcome": outcome, "note": text("note", 1000)})
    if outcome not in ("offer", "decline"):
        form.add("outcome", "Choose offer or decline.")
    if form.failed:
        return _render_admin_one(aid, {"decision": form}, 400)
    r = api().post(
        f"{PM_API}/applications/{aid}/decision", {"outcome": outcome, "note": form.get("note") or None}
    )
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render_admin_one(aid, {"decision": form.from_result(r)}, refused_status(r))
    flash(
        "Place offered: the applicant accepts it on their page." if outcome == "offer" else "Declined.",
        "success",
    )
    return redirect(url_for("portal.admin_parent_mentor", aid=aid))
