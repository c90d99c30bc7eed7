"""Training admins record a learner's course completions and certifications (DOMAIN "Rulings" -> "Learning": "Course
completion comes from the online learning platform or a training admin, never from the learner"),
over training's GET /api/v1/people/{id}/enrolments and POST /api/v1/enrolments/{id}/completion.
Reached from /admin (a person's reference) and from the Parent Mentor and Lead Professional
application pages, whose routes start from completed courses. Certification that a completion
finishes follows in training. The same page lists the person's certifications: a training admin
records one gained before or outside the platform (POST /api/v1/people/{id}/certifications, with
the reason) or withdraws one (POST /api/v1/certifications/{id}/withdraw, with the reason: its
credential then shows as revoked)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..forms import FormState, text
from ..plumbing import api, bp, gaps, refusal, require_role, soft
from ..reads import catalogue_items, refused_status


@bp.get("/admin/learners")
@require_role("training_admin")
def admin_learner_lookup():
    person_id = (request.args.get("person_id") or "").strip()[:64]
    if person_id:
        return redirect(url_for("portal.admin_learner", person_id=person_id))
    return redirect(url_for("portal.training_admin") + "#learners")


def _render(person_id: str, forms: dict | None = None, status: int = 200):
    person = api().get(f"/api/v1/people/{person_id}")
    if person.status == 404:
        abort(404)
    enrolments = soft(lambda: api().get(f"/api/v1/people/{person_id}/enrolments", per_page=100))
    certs = soft(lambda: api().get(f"/api/v1/people/{person_id}/certifications", per_page=100))
    forms = forms or {}
    return render_template(
        "portal/admin_learner.html",
        title="A learner's courses",
        person=person.data if person.ok else {"id": person_id},
        enrolments=enrolments.items() if enrolments else None,
        certifications=certs.items() if certs else None,
        roles=[(r["code"], r.get("title") or r["code"]) for r in catalogue_items("/api/v1/catalogue/roles")],
        recognise_form=forms.get("recognise") or FormState(),
        withdraw_form=forms.get("withdraw") or FormState(),
        gaps=gaps(),
    ), status


@bp.get("/admin/learners/<person_id>")
@require_role("training_admin")
def admin_learner(person_id: str):
    return _render(person_id)


@bp.post("/admin/learners/<person_id>/certifications")
@require_role("training_admin")
def admin_learner_recognise(person_id: str):
    form = FormState({"role": text("role", 40), "reason": text("reason", 300)})
    if not form.get("role"):
        form.add("role", "Choose the role.")
    if not form.get("reason"):
        form.add("reason", "Say why: the records held.")
    if form.failed:
        return _render(person_id, {"recognise": form}, 400)
    r = api().post(
        f"/api/v1/people/{person_id}/certifications", {"role": form.get("role"), "reason": form.get("reason")}
    )
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render(person_id, {"recognise": form.from_result(r)}, refused_status(r))
    flash(f"{(r.data or {}).get('title') or 'Certification'} recorded.", "success")
    return redirect(url_for("portal.admin_learner", person_id=person_id, _anchor="certifications"))


@bp.post("/admin/learners/<person_id>/certifications/<certification_id>/withdraw")
@require_role("training_admin")
def admin_learner_withdraw(person_id: str, certification_id: str):
    form = FormState({"reason": text("reason", 300), "certification_id": certification_id})
    if not form.get("reason"):
        form.add("reason", "Say why it is withdrawn.")
        return _render(person_id, {"withdraw": form}, 400)
    r = api().post(f"/api/v1/certifications/{certification_id}/withdraw", {"reason": form.get("reason")})
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render(person_id, {"withdraw": form.from_result(r)}, refused_status(r))
    flash(
        "Certification withdrawn: it counts for nothing from now on and its credential shows as revoked.",
        "success",
    )
    return redirect(url_for("portal.admin_learner", person_id=person_id, _anchor="certifications"))


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
