"""Portal pages for study support sessions and supported learning workshops (seed 001, seed 002;
decision 0060), over training's /api/v1/study-support:

- /study-support: the series the signed-in person hosts (and a form to schedule one), the series
  open to them (their organisation's in-house ones, partnership ones) and their own bookings;
- /study-support/series/<id>: a series' sessions; a learner books or cancels a place; the host
  schedules sessions (up to the series' cap), sees who booked, records attendance and assigns a
  volunteer study supporter as the group's buddy.

Training decides who may host, the caps and every refusal; these pages show what it answers."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, url_for

from ..forms import checkbox, integer, text
from ..plumbing import api, bp, gaps, me, refusal, signed_in, soft

SS_API = "/api/v1/study-support"
SUP_API = "/api/v1/lead-professionals/study-supporter-applications"
KIND_TEXT = {"study_support": "Study support sessions", "workshop": "Supported learning workshop"}
DELIVERY_TEXT = {
    "in_house": "In house (our organisation's members)",
    "partnership": "In partnership with I Matter Training",
}
COUNTED = {"log_book": "a log book entry", "foundation_a_courses": "a Foundation A course supported"}


def _rules() -> dict:
    """Training's study support rules (GET /api/v1/study-support/rules): kinds, courses, caps."""
    r = soft(lambda: api().get(f"{SS_API}/rules"))
    return r.data if r and isinstance(r.data, dict) else {}


def _orgs(user: dict) -> list[tuple[str, str]]:
    out = []
    for org_id in user.get("organisation_ids") or []:
        r = soft(lambda oid=org_id: api().get(f"/api/v1/organisations/{oid}"))
        out.append((org_id, (r.data or {}).get("name", org_id) if r else org_id))
    return out


@bp.get("/study-support")
@signed_in
def study_support():
    user = me()
    pid = user.get("person_id")
    hosting = soft(lambda: api().get(f"{SS_API}/series", hosting="true", per_page=50)) if pid else None
    visible = soft(lambda: api().get(f"{SS_API}/series", per_page=50))
    bookings = soft(lambda: api().get(f"{SS_API}/people/{pid}/bookings", per_page=50)) if pid else None
    rules = _rules()
    return render_template(
        "portal/study_support.html",
        title="Study support",
        user=user,
        hosting=hosting.items() if hosting else [],
        open_series=[s for s in (visible.items() if visible else []) if s.get("open_to_me")],
        bookings=bookings.items() if bookings else [],
        orgs=_orgs(user),
        kinds=[(k, KIND_TEXT.get(k, k)) for k in rules.get("kinds", [])],
        deliveries=[(d, DELIVERY_TEXT.get(d, d)) for d in rules.get("deliveries", [])],
        courses=[(c["code"], c["title"]) for c in rules.get("courses", [])],
        caps=rules.get("caps", {}),
        today=date.today().isoformat(),
        gaps=gaps(),
    )


@bp.post("/study-support/series")
@signed_in
def study_support_new_series():
    user = me()
    body = {
        "organisation_id": text("organisation_id", 64),
        "host_person_id": user.get("person_id") or "",
        "kind": text("kind", 20),
        "delivery": text("delivery", 20),
        "course_code": text("course_code", 40),
        "title": text("title", 200),
        "starts_on": text("starts_on", 10),
    }
    for name in ("max_sessions", "places_per_session"):
        if request.form.get(name):
            body[name] = integer(name)
    r = api().post(f"{SS_API}/series", body)
    if not r.ok:
        flash(f"Not scheduled: {refusal(r)}", "error")
        return redirect(url_for("portal.study_support") + "#host")
    flash("Series created. Add its sessions.", "success")
    return redirect(url_for("portal.study_support_series", sid=r.data["id"]))


@bp.get("/study-support/series/<sid>")
@signed_in
def study_support_series(sid: str):
    user = me()
    r = api().get(f"{SS_API}/series/{sid}")
    if r.status == 404:
        abort(404)
    if not r.ok:
        abort(503)
    series = r.data
    supporters = []
    if series.get("i_host") and "training_admin" in (user.get("roles") or []):
        s = soft(lambda: api().get(SUP_API, state="accepted", per_page=100))
        supporters = [(x["id"], x.get("person_name") or x["id"]) for x in (s.items() if s else [])]
    return render_template(
        "portal/study_support_series.html",
        title=series.get("title") or "Study support series",
        user=user,
        series=series,
        supporters=supporters,
        now=datetime.utcnow().strftime("%Y-%m-%dT%H:%M"),
        gaps=gaps(),
    )


def _back(sid: str, anchor: str = ""):
    return redirect(url_for("portal.study_support_series", sid=sid) + anchor)


@bp.post("/study-support/series/<sid>/sessions")
@signed_in
def study_support_new_session(sid: str):
    when = text("starts_at", 16)
    try:
        starts_at = datetime.fromisoformat(when).strftime("%Y-%m-%dT%H:%M:00Z") if when else ""
    except ValueError:
        starts_at = when
    body = {
        "starts_at": starts_at,
        "duration_minutes": integer("duration_minutes", 90),
        "online": checkbox("online"),
        "place": text("place", 200) or None,
    }
    r = api().post(f"{SS_API}/series/{sid}/sessions", body)
    if r.status == 404:
        abort(404)
    flash("Session scheduled." if r.ok else f"Not scheduled: {refusal(r)}", "success" if r.ok else "error")
    return _back(sid, "#sessions")


@bp.post("/study-support/sessions/<session_id>/book")
@signed_in
def study_support_book(session_id: str):
    sid = text("series_id", 64)
    r = api().post(f"{SS_API}/sessions/{session_id}/bookings", {"person_id": me().get("person_id") or ""})
    if r.status == 404:
        abort(404)
    flash("Place booked." if r.ok else f"Not booked: {refusal(r)}", "success" if r.ok else "error")
    return _back(sid, "#sessions")


@bp.post("/study-support/bookings/<booking_id>/cancel")
@signed_in
def study_support_cancel(booking_id: str):
    sid = text("series_id", 64)
    r = api().post(f"{SS_API}/bookings/{booking_id}/cancel")
    if r.status == 404:
        abort(404)
    flash("Booking cancelled." if r.ok else f"Not cancelled: {refusal(r)}", "success" if r.ok else "error")
    return _back(sid, "#sessions") if sid else redirect(url_for("portal.study_support"))


@bp.post("/study-support/sessions/<session_id>/attendance")
@signed_in
def study_support_attendance(session_id: str):
    sid = text("series_id", 64)
    attended = [v[:32] for v in request.form.getlist("attended")][:100]
    r = api().post(f"{SS_API}/sessions/{session_id}/attendance", {"attended": attended})
    if r.status == 404:
        abort(404)
    if r.ok:
        counted = [
            COUNTED.get(x["obligation"], x["obligation"]) for x in r.data.get("recorded_for_host") or []
        ]
        extra = f" Recorded for you: {', '.join(counted)}." if counted else ""
        flash(f"Attendance recorded.{extra}", "success")
    else:
        flash(f"Not recorded: {refusal(r)}", "error")
    return _back(sid, "#sessions")


@bp.post("/study-support/series/<sid>/buddies")
@signed_in
def study_support_buddy(sid: str):
    r = api().post(
        f"{SS_API}/series/{sid}/buddies", {"supporter_application_id": text("supporter_application_id", 64)}
    )
    if r.status == 404:
        abort(404)
    flash("Buddy assigned." if r.ok else f"Not assigned: {refusal(r)}", "success" if r.ok else "error")
    return _back(sid, "#buddies")
