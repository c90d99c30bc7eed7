"""Portal pages for the Lead Professional route (seed 001; DOMAIN "Rulings" -> "Lead Professional
route"), over training's public API (/api/v1/lead-professionals/...):

- the applicant / trainee: apply (organisation, route, references, senior leadership backing), see
  the application's state, the interview outcome, the years (enforced by dates) and any override
  with its reason, the obligations with what falls due, add log book entries and other records,
  register Level 3A groups (participants counted, never named);
- training admins: their pages are in lead_professionals_admin.py.

Only the person acts on their own application; the API refuses anyone else (404), and these pages
show what it answers.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for

from .. import reference
from ..forms import FormState, checkbox, integer, text
from ..plumbing import api, bp, gaps, me, signed_in, soft
from ..reads import LP_API, lp_extras, refused_status


def _reference_slots(route: dict) -> int:
    """Room for one referee more than training requires (the form's layout, not a rule)."""
    return route["min_references"] + 1


def _orgs(user: dict) -> list[tuple[str, str]]:
    out = []
    for org_id in user.get("organisation_ids") or []:
        r = soft(lambda oid=org_id: api().get(f"/api/v1/organisations/{oid}"))
        out.append((org_id, (r.data or {}).get("name", org_id) if r else org_id))
    return out


# -- the applicant and trainee ---------------------------------------------------------------


def _render_mine(forms: dict | None = None, status: int = 200):
    user = me()
    apps = []
    if user.get("person_id"):
        r = soft(lambda: api().get(f"{LP_API}/applications", person_id=user["person_id"], per_page=20))
        apps = r.items() if r else []
    current = next((a for a in reversed(apps) if a.get("state") != "declined"), None)
    forms = forms or {}
    route = reference.lead_professional_route()
    return render_template(
        "portal/lead_professional.html",
        title="My Lead Professional route",
        user=user,
        apps=apps,
        current=current,
        orgs=_orgs(user),
        routes=route["routes"],
        slots=range(_reference_slots(route)),
        min_references=route["min_references"],
        trainee_records=route["records"],
        courses=route["courses"],
        audiences=route["audiences"],
        scopes=route["scopes"],
        states=route["states"],
        apply_form=forms.get("apply") or FormState({"route": "standard"}),
        log_form=forms.get("log") or FormState(),
        record_form=forms.get("record") or FormState(),
        group_form=forms.get("group") or FormState({"starts_on": date.today().isoformat()}),
        today=date.today().isoformat(),
        gaps=gaps(),
        **lp_extras(current),
    ), status


@bp.get("/lead-professional")
@signed_in
def lead_professional():
    return _render_mine()


@bp.post("/lead-professional/apply")
@signed_in
def lead_professional_apply():
    """Apply for yourself: the organisation you work in, at least 2 references, senior leadership backing."""
    user = me()
    if not user.get("person_id"):
        flash("Create your learner profile first (My account).", "error")
        return redirect(url_for("portal.account"))
    form = FormState({k: request.form.get(k, "") for k in request.form if k != "csrf_token"})
    form.values["senior_leadership_backing"] = checkbox("senior_leadership_backing")
    route_rules = reference.lead_professional_route()
    refs = []
    for i in range(_reference_slots(route_rules)):
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
    if len(refs) < route_rules["min_references"]:
        form.add("ref0_name", f"Give at least {route_rules['min_references']} references.")
    org_id, route = text("organisation_id", 64), text("route", 20)
    if not org_id:
        form.add("organisation_id", "Choose the organisation you work in.")
    if route not in dict(route_rules["routes"]):
        form.add("route", "Choose a route.")
    if form.failed:
        return _render_mine({"apply": form}, 400)
    leader = text("senior_leader_name", 200)
    body = {
        "person_id": user["person_id"],
        "organisation_id": org_id,
        "route": route,
        "specialism": text("specialism", 200) or None,
        "references": refs,
        "senior_leadership_backing": checkbox("senior_leadership_backing"),
        **(
            {"senior_leader": {"name": leader, "role": text("senior_leader_role", 200) or None}}
            if leader
            else {}
        ),
    }
    r = api().post(f"{LP_API}/applications", body)
    if not r.ok:
        form.from_result(r)
        if "references" in form.errors:
            form.errors.setdefault("ref0_name", []).extend(form.errors.pop("references"))
        return _render_mine({"apply": form}, refused_status(r))
    flash("Application sent. I Matter Training will invite you to an interview.", "success")
    return redirect(url_for("portal.lead_professional"))


@bp.post("/lead-professional/<aid>/log-book")
@signed_in
def lead_professional_log(aid: str):
    """A log book entry (about your own work, never about a child or family)."""
    form = FormState(
        {"title": text("title", 200), "note": text("note", 500), "occurred_on": text("occurred_on", 10)}
    )
    if not form.get("title"):
        form.add("title", "Give the entry a heading.")
    body = {"title": form.get("title"), "note": form.get("note") or None}
    if form.get("occurred_on"):
        try:
            body["occurred_at"] = date.fromisoformat(form.get("occurred_on")).isoformat() + "T12:00:00Z"
        except ValueError:
            form.add("occurred_on", "Give the date as YYYY-MM-DD.")
    if form.failed:
        return _render_mine({"log": form}, 400)
    r = api().post(f"{LP_API}/applications/{aid}/obligations/log_book/records", body)
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render_mine({"log": form.from_result(r)}, refused_status(r))
    flash("Log book entry added.", "success")
    return redirect(url_for("portal.lead_professional") + "#log-book")


@bp.post("/lead-professional/<aid>/records")
@signed_in
def lead_professional_record(aid: str):
    code = text("obligation", 40)
    form = FormState({"obligation": code, "note": text("note", 500)})
    if code not in dict(reference.lead_professional_route()["records"]):
        form.add("obligation", "Choose what you are recording.")
    if form.failed:
        return _render_mine({"record": form}, 400)
    r = api().post(
        f"{LP_API}/applications/{aid}/obligations/{code}/records", {"note": form.get("note") or None}
    )
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render_mine({"record": form.from_result(r)}, refused_status(r))
    flash("Recorded.", "success")
    return redirect(url_for("portal.lead_professional") + "#obligations")


@bp.post("/lead-professional/groups")
@signed_in
def lead_professional_group():
    """Register a Level 3A group: the organisation, the course, the audience and how many take part."""
    user = me()
    form = FormState(
        {
            "organisation_id": text("organisation_id", 64),
            "course_code": text("course_code", 40),
            "audience": text("audience", 40),
            "starts_on": text("starts_on", 10),
            "participants_count": text("participants_count", 6),
            "scope": text("scope", 40),
        }
    )
    route = reference.lead_professional_route()
    count = integer("participants_count")
    # how many may take part is training's rule: its 400 is shown at the field
    if count is None:
        form.add("participants_count", "Give the number of participants.")
    if form.get("course_code") not in dict(route["courses"]):
        form.add("course_code", "Choose the course.")
    if form.get("audience") not in dict(route["audiences"]):
        form.add("audience", "Choose who the group is for.")
    try:
        date.fromisoformat(form.get("starts_on"))
    except ValueError:
        form.add("starts_on", "Give the start date as YYYY-MM-DD.")
    if not form.get("organisation_id"):
        form.add("organisation_id", "Choose the organisation.")
    if form.failed:
        return _render_mine({"group": form}, 400)
    r = api().post(
        f"{LP_API}/level-3a-groups",
        {
            "organisation_id": form.get("organisation_id"),
            "lead_person_id": user.get("person_id") or "",
            "course_code": form.get("course_code"),
            "audience": form.get("audience"),
            "starts_on": form.get("starts_on"),
            "participants_count": count,
            **({"scope": form.get("scope")} if form.get("scope") else {}),
        },
    )
    if not r.ok:
        return _render_mine({"group": form.from_result(r)}, 404 if r.status == 404 else refused_status(r))
    target = route["targets"].get("foundation_a_courses")
    flash(
        f"Group registered (no charge). It counts towards your {target} Foundation A courses this year.",
        "success",
    )
    return redirect(url_for("portal.lead_professional") + "#groups")
