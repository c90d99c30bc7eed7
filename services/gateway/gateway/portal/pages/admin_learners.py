"""Training admins record a learner's course completions (DOMAIN "Rulings" -> "Learning": "Course
completion comes from the online learning platform or a training admin, never from the learner"),
over training's GET /api/v1/people/{id}/enrolments and POST /api/v1/enrolments/{id}/completion.
Reached from /admin (a person's reference) and from the Parent Mentor and Lead Professional
application pages, whose routes start from completed courses. Certification that a completion
finishes follows in training."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..plumbing import api, bp, gaps, refusal, require_role, soft


@bp.get("/admin/learners")
@require_role("training_admin")
def admin_learner_lookup():
    person_id = (request.args.get("person_id") or "").strip()[:64]
    if person_id:
        return redirect(url_for("portal.admin_learner", person_id=person_id))
    return redirect(url_for("portal.training_admin") + "#learners")


@bp.get("/admin/learners/<person_id>")
@require_role("training_admin")
def admin_learner(person_id: str):
    person = api().get(f"/api/v1/people/{person_id}")
    if person.status == 404:
        abort(404)
    enrolments = soft(lambda: api().get(f"/api/v1/people/{person_id}/enrolments", per_page=100))
    return render_template(
        "portal/admin_learner.html",
        title="A learner's courses",
        person=person.data if person.ok else {"id": person_id},
        enrolments=enrolments.items() if enrolments else None,
        gaps=gaps(),
    )


@bp.post("/admin/learners/<person_id>/enrolments/<enrolment_id>/completion")
@require_role("training_admin")
def admin_learner_completion(person_id: str, enrolment_id: str):
    r = api().post(f"/api/v1/enrolments/{enrolment_id}/completion")
    if r.status == 404:
        abort(404)
    if r.ok:
        title = (r.data or {}).get("course_title") or "The course"
        flash(f"{title}: completion recorded.", "success")
    else:
        flash(refusal(r), "error")
    return redirect(url_for("portal.admin_learner", person_id=person_id, _anchor="courses"))
