"""The learner's pages: their enrolments and courses (and enrolling, also from an organisation's
page), and their informal I Matter Q (training: /api/v1/training/q/responses, theirs alone)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from .. import reference
from ..forms import FormState, text
from ..plumbing import api, bp, gaps, local_next, me, money, signed_in, soft
from ..questionnaires import INFORMAL_Q, current_version, labels_of, read_answers
from ..reads import catalogue_items


@bp.post("/enrolments")
@signed_in
def enrol():
    body = {
        "person_id": text("person_id", 64),
        "course_code": text("course_code", 40),
        "funding": text("funding", 20),
    }
    if request.form.get("organisation_id"):  # the organisation page places its own member (row 80)
        body["organisation_id"] = text("organisation_id", 64)
    r = api().post("/api/v1/enrolments", body)
    flash("Enrolled." if r.ok else f"Not enrolled: {r.detail}", "success" if r.ok else "error")
    return redirect(local_next(request.form.get("next"), url_for("portal.learning")))


def _person_enrolments(person_id: str) -> list:
    for path, params in (
        (f"/api/v1/people/{person_id}/enrolments", {}),
        ("/api/v1/enrolments", {"person_id": person_id}),
    ):
        r = soft(lambda p=path, q=params: api().get(p, per_page=100, **q))
        if r:
            return r.items()
    return []


def progress_percent(enrolment: dict) -> int:
    if enrolment.get("progress") is not None:
        p = float(enrolment["progress"])
        return int(round(p * 100 if p <= 1 and enrolment.get("state") != "started" and p != int(p) else p))
    return 100 if enrolment.get("state") in ("completed", "complete") or enrolment.get("completed_at") else 0


@bp.get("/learning")
@signed_in
def learning():
    user = me()
    pid = user.get("person_id")
    enrolments = _person_enrolments(pid) if pid else []
    for e in enrolments:
        e["_percent"] = max(0, min(100, progress_percent(e)))
    courses = [
        (c.get("code"), f"{c.get('title')} ({money(c.get('price'))})")
        for c in catalogue_items("/api/v1/catalogue/courses")
    ]
    # study support booked and attended (training: /api/v1/study-support/people/{id}/bookings)
    booked = (
        soft(lambda: api().get(f"/api/v1/study-support/people/{pid}/bookings", per_page=50)) if pid else None
    )
    return render_template(
        "portal/learning.html",
        user=user,
        study_bookings=booked.items() if booked else [],
        enrolments=enrolments,
        courses=courses,
        funding=reference.fundings("learner_enrolment"),
    )


# -- my informal I Matter Q ------------------------------------------------------------------


def _render_q(form: FormState | None = None, result: dict | None = None, status: int = 200):
    user = me()
    current, reason = current_version(f"/api/v1/training/questionnaires/{INFORMAL_Q}/current")
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
    current, reason = current_version(f"/api/v1/training/questionnaires/{INFORMAL_Q}/current")
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
