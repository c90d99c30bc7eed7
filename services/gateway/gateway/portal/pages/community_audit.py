"""An organisation's community audit (training: /api/v1/training/community-wheel/...): the
audit questionnaire, recorded under the organisation's community wheel licence (or one the
signed-in person holds themself); 409 `community_wheel_licence` without one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..forms import FormState, integer, text
from ..plumbing import api, bp, gaps, me, signed_in, soft
from ..questionnaires import COMMUNITY_AUDIT, current_version, labels_of, read_answers
from ..reads import org_or_404


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
    org = org_or_404(org_id)
    a = api()
    r = soft(lambda: a.get("/api/v1/training/community-wheel/licences", per_page=100))
    everything = [lic for lic in (r.items() if r else []) if isinstance(lic, dict)]
    licences = [lic for lic in everything if lic.get("organisation_id") == org_id]
    licence = active_licence(licences) or _own_active_licence(everything)
    current, reason = current_version(f"/api/v1/training/questionnaires/{COMMUNITY_AUDIT}/current")
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
    current, reason = current_version(f"/api/v1/training/questionnaires/{COMMUNITY_AUDIT}/current")
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
