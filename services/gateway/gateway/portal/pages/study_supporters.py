"""Portal pages for volunteer study supporters (seed 001; decision 0061), over training's
/api/v1/lead-professionals/study-supporter-applications:

- /study-supporter: apply (motivation, at least 2 references), see the state, the interview outcome
  and its note, what acceptance still needs, and the learner groups you are buddy to;
- /admin/study-supporters: training admins record interviews and decide;
- /admin/study-supporters/<id>: one application in full (motivation, references, interview,
  what acceptance still needs, buddy groups) with the same interview and decision forms.

Training decides eligibility and every refusal; these pages show what it answers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..forms import text
from ..plumbing import api, bp, gaps, me, refusal, require_role, signed_in, soft

SUP_API = "/api/v1/lead-professionals/study-supporter-applications"
REFERENCE_SLOTS = 3  # room for one referee more than training asks for (layout, not a rule)
UNMET_TEXT = {
    "interview_passed": "a passed interview with I Matter Training",
    "preparation_course": "the study supporters preparation course completed",
}


@bp.get("/study-supporter")
@signed_in
def study_supporter():
    user = me()
    pid = user.get("person_id")
    r = soft(lambda: api().get(SUP_API, person_id=pid, per_page=20)) if pid else None
    apps = r.items() if r else []
    current = next((a for a in reversed(apps) if a.get("state") != "declined"), apps[-1] if apps else None)
    return render_template(
        "portal/study_supporter.html",
        title="Volunteer study supporter",
        user=user,
        current=current,
        slots=range(REFERENCE_SLOTS),
        unmet_text=UNMET_TEXT,
        gaps=gaps(),
    )


@bp.post("/study-supporter/apply")
@signed_in
def study_supporter_apply():
    user = me()
    refs = []
    for i in range(REFERENCE_SLOTS):
        name, rel = text(f"ref{i}_name", 200), text(f"ref{i}_relationship", 200)
        if name or rel:
            refs.append({"name": name, "relationship": rel})
    body = {
        "person_id": user.get("person_id") or "",
        "motivation": text("motivation", 3000),
        "references": refs,
    }
    r = api().post(SUP_API, body)
    if r.ok:
        flash("Application sent. I Matter Training will invite you to an interview.", "success")
    else:
        flash(f"Not sent: {refusal(r)}", "error")
    return redirect(url_for("portal.study_supporter"))


@bp.get("/admin/study-supporters")
@require_role("training_admin")
def admin_study_supporters():
    r = soft(lambda: api().get(SUP_API, per_page=100))
    return render_template(
        "portal/admin_study_supporters.html",
        title="Volunteer study supporters",
        apps=r.items() if r else [],
        unmet_text=UNMET_TEXT,
        gaps=gaps(),
    )


@bp.get("/admin/study-supporters/<sid>")
@require_role("training_admin")
def admin_study_supporter(sid: str):
    r = api().get(f"{SUP_API}/{sid}")
    if not r.ok:
        abort(r.status if r.status in (401, 403) else 404)
    return render_template(
        "portal/admin_study_supporter.html",
        title="Volunteer study supporter application",
        a=r.data,
        unmet_text=UNMET_TEXT,
        gaps=gaps(),
    )


def _back(sid: str) -> str:
    """After an interview or a decision: the record page when the form was sent from it."""
    if text("back", 10) == "record":
        return url_for("portal.admin_study_supporter", sid=sid)
    return url_for("portal.admin_study_supporters") + f"#sup-{sid}"


@bp.post("/admin/study-supporters/<sid>/interview")
@require_role("training_admin")
def admin_study_supporter_interview(sid: str):
    body = {"outcome": text("outcome", 10), "note": text("note", 1000) or None}
    r = api().post(f"{SUP_API}/{sid}/interview", body)
    flash("Interview recorded." if r.ok else f"Not recorded: {refusal(r)}", "success" if r.ok else "error")
    return redirect(_back(sid))


@bp.post("/admin/study-supporters/<sid>/decision")
@require_role("training_admin")
def admin_study_supporter_decision(sid: str):
    r = api().post(f"{SUP_API}/{sid}/decision", {"outcome": text("outcome", 10)})
    flash("Decision recorded." if r.ok else f"Not decided: {refusal(r)}", "success" if r.ok else "error")
    return redirect(_back(sid))
