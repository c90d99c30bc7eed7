"""Portal pages for the licensed reflective tools (issue 11), over the same public APIs:

- the learner's informal I Matter Q (training: /api/v1/training/q/responses, theirs alone);
- an organisation's community wheel licence and community audits (training:
  /api/v1/training/community-wheel/...; 409 `community_wheel_licence` without a licence);
- the formal Q and the personalised wellbeing wheel on a Tracker case (cic-tracker:
  /api/v1/cic/cases/{id}/q-responses and /wheel-responses; 409 when the use is not licensed);
- training admins granting and revoking community wheel licences.

The questions, scales and sections come from the API's current version (SAMPLE content until
the organisation loads its own), so the pages never hard-code a question. Routes are added to
the portal blueprint (views.bp); this module is imported before the blueprint is registered.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from .client import Api
from .forms import FormState, checkbox, integer, text
from .views import _org_or_404, api, bp, gaps, me, require_role, signed_in, soft

INFORMAL_Q = "imatter_q"  # training's informal Q (the learner about themself)
COMMUNITY_AUDIT = "community_wheel_audit"  # training's organisation-level audit version
FORMAL_Q = "imatter_q"  # cic-tracker's formal Q on a case
WHEEL = "wellbeing_wheel"  # cic-tracker's personalised wheel on a case

# the two tools on a case: (key, instrument, API collection, heading)
CASE_TOOLS = (
    ("q", FORMAL_Q, "q-responses", "Formal I Matter Q"),
    ("wheel", WHEEL, "wheel-responses", "Personalised wellbeing wheel"),
)


# -- shared: questionnaire content and answers ---------------------------------------------


def questions_of(content: dict | None) -> list[dict]:
    """Every question of a version with its scale's options, in order."""
    if not isinstance(content, dict):
        return []
    scales = {s.get("code"): s for s in content.get("scales") or [] if isinstance(s, dict)}
    out = []
    for section in content.get("sections") or []:
        for q in section.get("questions") or []:
            out.append({**q, "options": (scales.get(q.get("scale")) or {}).get("options") or []})
    return out


def read_answers(content: dict | None, form: FormState) -> dict[str, int]:
    """The ticked options as {question: value}; an unanswered required question is an error at
    its own radio group (the API says the same, but the visitor needn't wait for it)."""
    answers: dict[str, int] = {}
    for q in questions_of(content):
        name = f"answers.{q.get('code')}"
        raw = (request.form.get(name) or "").strip()
        form.values[name] = raw
        if raw == "":
            if q.get("required", True):
                form.add(name, "Choose an answer to this question.")
            continue
        try:
            answers[q["code"]] = int(raw)
        except ValueError:
            form.add(name, "Choose one of the answers shown.")
    return answers


def labels_of(content: dict | None) -> dict[str, str]:
    """Error-summary labels: each question's text (not its code)."""
    return {f"answers.{q.get('code')}": q.get("text") or q.get("code") for q in questions_of(content)}


def _current(path: str) -> tuple[dict | None, str | None]:
    """The current version's questions, or None and the API's reason (e.g. no content loaded)."""
    r = api().get(path)
    if r.ok and isinstance(r.data, dict):
        return r.data, None
    return None, r.detail


# -- learner: my informal I Matter Q -------------------------------------------------------


def _render_q(form: FormState | None = None, result: dict | None = None, status: int = 200):
    user = me()
    current, reason = _current(f"/api/v1/training/questionnaires/{INFORMAL_Q}/current")
    past = soft(lambda: api().get("/api/v1/training/q/responses", per_page=20))
    return render_template(
        "portal/imatter_q.html",
        user=user,
        q=current,
        reason=reason,
        form=form or FormState(),
        result=result,
        past=past.items() if past else None,
        labels=labels_of(current),
        gaps=gaps(),
    ), status


@bp.get("/learning/imatter-q")
@signed_in
def imatter_q():
    return _render_q()


@bp.post("/learning/imatter-q")
@signed_in
def answer_imatter_q():
    current, reason = _current(f"/api/v1/training/questionnaires/{INFORMAL_Q}/current")
    form = FormState()
    if current is None:
        form.detail = reason
        return _render_q(form, status=409)
    answers = read_answers(current, form)
    if not form.failed:
        r = api().post("/api/v1/training/q/responses", {"answers": answers})
        if r.ok:
            flash("Your answers are saved. Only you can see them.", "success")
            return redirect(url_for("portal.imatter_q_result", response_id=r.data["id"], _anchor="result"))
        form.from_result(r)
    return _render_q(form, status=409 if form.unmet else 400)


@bp.get("/learning/imatter-q/<response_id>")
@signed_in
def imatter_q_result(response_id: str):
    r = api().get(f"/api/v1/training/q/responses/{response_id}")
    if r.status in (403, 404):
        abort(404)
    return _render_q(result=r.data if r.ok else None)


# -- organisation: community wheel licence and community audits ----------------------------


def wheel_licences_of(org_id: str, a: Api | None = None) -> list[dict] | None:
    """The organisation's community wheel licences (newest first); None when training is down."""
    r = soft(lambda: (a or api()).get("/api/v1/training/community-wheel/licences", per_page=100))
    if r is None:
        return None
    return [lic for lic in r.items() if isinstance(lic, dict) and lic.get("organisation_id") == org_id]


def active_licence(licences: list[dict] | None) -> dict | None:
    return next((lic for lic in licences or [] if lic.get("status") == "active"), None)


def _own_active_licence(licences: list[dict] | None) -> dict | None:
    """A community wheel licence the signed-in person holds themself also allows an audit."""
    pid = me().get("person_id")
    return next(
        (
            lic
            for lic in licences or []
            if pid and lic.get("person_id") == pid and lic.get("status") == "active"
        ),
        None,
    )


def _render_audit(org_id: str, form: FormState | None = None, status: int = 200):
    org = _org_or_404(org_id)
    a = api()
    r = soft(lambda: a.get("/api/v1/training/community-wheel/licences", per_page=100))
    everything = [lic for lic in (r.items() if r else []) if isinstance(lic, dict)]
    licences = [lic for lic in everything if lic.get("organisation_id") == org_id]
    licence = active_licence(licences) or _own_active_licence(everything)
    current, reason = _current(f"/api/v1/training/questionnaires/{COMMUNITY_AUDIT}/current")
    audits = soft(
        lambda: a.get("/api/v1/training/community-wheel/audits", organisation_id=org_id, per_page=20)
    )
    return render_template(
        "portal/community_audit.html",
        org=org,
        licences=licences,
        licence=licence,
        q=current,
        reason=reason,
        form=form or FormState(),
        audits=audits.items() if audits else None,
        labels={**labels_of(current), "participants_count": "People who took part"},
        gaps=gaps(),
    ), status


@bp.get("/organisations/<org_id>/community-audit")
@signed_in
def community_audit(org_id: str):
    return _render_audit(org_id)


@bp.post("/organisations/<org_id>/community-audit")
@signed_in
def record_community_audit(org_id: str):
    current, reason = _current(f"/api/v1/training/questionnaires/{COMMUNITY_AUDIT}/current")
    form = FormState({"participants_count": text("participants_count", 12)})
    if current is None:
        form.detail = reason
        return _render_audit(org_id, form, status=409)
    answers = read_answers(current, form)
    participants = None
    if form.get("participants_count"):
        participants = integer("participants_count")
        if participants is None or participants < 0:
            form.add("participants_count", "Enter a whole number of people, or leave it empty.")
    if not form.failed:
        r = api().post(
            "/api/v1/training/community-wheel/audits",
            {"organisation_id": org_id, "answers": answers, "participants_count": participants},
        )
        if r.ok:
            flash("Community audit recorded.", "success")
            return redirect(url_for("portal.community_audit", org_id=org_id, _anchor="audits"))
        if r.status == 404:
            abort(404)
        form.from_result(r)
    return _render_audit(org_id, form, status=409 if form.unmet else 400)


# -- Tracker case: formal Q and personalised wheel -----------------------------------------


def case_tools(case_id: str, forms: dict | None = None) -> list[dict]:
    """Each tool on the case: its current questions (or why none), its form and its results."""
    a = api()
    out = []
    for key, instrument, collection, heading in CASE_TOOLS:
        current = soft(lambda i=instrument: a.get(f"/api/v1/cic/questionnaires/{i}/current"))
        results = soft(lambda c=collection: a.get(f"/api/v1/cic/cases/{case_id}/{c}", per_page=100))
        q = current.data if current and isinstance(current.data, dict) else None
        out.append(
            {
                "key": key,
                "instrument": instrument,
                "heading": heading,
                "q": q,
                "form": (forms or {}).get(key) or FormState(),
                "labels": labels_of(q),
                "results": results.items() if results else None,
            }
        )
    return out


@bp.post("/tracker/cases/<case_id>/tools/<tool>")
@signed_in
def record_case_tool(case_id: str, tool: str):
    from .views import _render_case

    spec = next((t for t in CASE_TOOLS if t[0] == tool), None) or abort(404)
    key, instrument, collection, heading = spec
    current, reason = _current(f"/api/v1/cic/questionnaires/{instrument}/current")
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


# -- training admin: community wheel licences ----------------------------------------------


def admin_wheel_licences() -> list[dict] | None:
    r = soft(lambda: api().get("/api/v1/training/community-wheel/licences", per_page=100))
    return r.items() if r else None


@bp.post("/admin/community-wheel/licences")
@require_role("training_admin")
def grant_wheel_licence():
    from .views import render_admin

    holder = request.form.get("holder") if request.form.get("holder") in ("organisation", "person") else ""
    form = FormState(
        {
            "holder": holder,
            "organisation_id": text("organisation_id", 32),
            "person_id": text("person_id", 32),
            "with_level_3a": checkbox("with_level_3a"),
            "months": text("months", 4),
        }
    )
    if not holder:
        form.add("holder", "Choose who holds the licence.")
    elif not form.get(f"{holder}_id"):
        form.add(
            f"{holder}_id",
            "Choose the organisation." if holder == "organisation" else "Enter the person's reference.",
        )
    months = None
    if form.get("months"):
        months = integer("months")
        if months is None or not 1 <= months <= 36:
            form.add("months", "Enter a number of months from 1 to 36, or leave it empty for a year.")
    if not form.failed:
        body = {f"{holder}_id": form.get(f"{holder}_id"), "with_level_3a": form.get("with_level_3a")}
        if months:
            body["months"] = months
        r = api().post("/api/v1/training/community-wheel/licences", body)
        if r.ok:
            flash(
                f"Community wheel licence granted, valid until {(r.data.get('valid_until') or '')[:10]}.",
                "success",
            )
            return redirect(url_for("portal.training_admin", _anchor="community-wheel"))
        form.from_result(r)
        # the API names both ids when neither or both are given; show only the one chosen
        other = "person_id" if holder == "organisation" else "organisation_id"
        form.errors.pop(other, None)
    return render_admin(wheel_form=form, status=409 if form.unmet else 400)


@bp.post("/admin/community-wheel/licences/<licence_id>/revoke")
@require_role("training_admin")
def revoke_wheel_licence(licence_id: str):
    r = api().post(f"/api/v1/training/community-wheel/licences/{licence_id}/revoke")
    if r.status == 404:
        abort(404)
    flash(
        "Community wheel licence revoked." if r.ok else f"Not revoked: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.training_admin", _anchor="community-wheel"))
