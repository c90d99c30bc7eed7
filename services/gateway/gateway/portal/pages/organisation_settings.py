"""An organisation's admin keeps its details current and gives members online accounts from its
seats (portal coverage gaps of issue 21), over training's PATCH /api/v1/organisations/{id} (name,
size band, link contact, senior leadership commitment) and POST .../seats/assignments (a member
gets an online L1-2 account from the organisation's seats). Training decides who may (its admins;
404 otherwise) and names the rule when it refuses (e.g. no seat left); nothing changes then."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..forms import FormState, checkbox, text
from ..plumbing import api, bp, gaps, signed_in, soft
from ..reads import org_lists, refused_status, seat_summary, size_bands


def _render(org_id: str, forms: dict | None = None, status: int = 200):
    org = api().get(f"/api/v1/organisations/{org_id}")
    if org.status == 404:
        abort(404)
    data = org.data if org.ok else {"id": org_id, "name": org_id}
    members = [m for m in org_lists(org_id)["members"] if (m.get("state") or m.get("status")) == "active"]
    seats = soft(lambda: api().get(f"/api/v1/organisations/{org_id}/seats"))
    forms = forms or {}
    details = forms.get("details") or FormState(
        {
            "name": data.get("name", ""),
            "size_band": data.get("size_band", ""),
            "link_contact_email": data.get("link_contact_email", ""),
            "senior_leadership_commitment": bool(data.get("senior_leadership_commitment")),
        }
    )
    return render_template(
        "portal/organisation_settings.html",
        title="Organisation details and seats",
        org=data,
        bands=[(b.get("code"), b.get("label") or b.get("code")) for b in size_bands()],
        members=[
            (m.get("person_id"), m.get("name") or m.get("person_id")) for m in members if m.get("person_id")
        ],
        seats=seat_summary(seats.data) if seats else None,
        details=details,
        seat_form=forms.get("seat") or FormState(),
        gaps=gaps(),
    ), status


@bp.get("/organisations/<org_id>/settings")
@signed_in
def organisation_settings(org_id: str):
    return _render(org_id)


@bp.post("/organisations/<org_id>/settings")
@signed_in
def organisation_settings_save(org_id: str):
    form = FormState({k: text(k, 254) for k in ("name", "size_band", "link_contact_email")})
    form.values["senior_leadership_commitment"] = checkbox("senior_leadership_commitment")
    if not form.get("name"):
        form.add("name", "Give the organisation's name.")
    if form.failed:
        return _render(org_id, {"details": form}, 400)
    body = {k: form.get(k) for k in ("name", "size_band", "link_contact_email") if form.get(k)}
    body["senior_leadership_commitment"] = bool(form.get("senior_leadership_commitment"))
    r = api().patch(f"/api/v1/organisations/{org_id}", body)
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render(org_id, {"details": form.from_result(r)}, refused_status(r))
    flash("The organisation's details are saved.", "success")
    return redirect(url_for("portal.organisation_settings", org_id=org_id))


@bp.post("/organisations/<org_id>/seats/assignments")
@signed_in
def organisation_seat_assign(org_id: str):
    form = FormState({"person_id": text("person_id", 64)})
    if not form.get("person_id"):
        form.add("person_id", "Choose the member.")
        return _render(org_id, {"seat": form}, 400)
    r = api().post(f"/api/v1/organisations/{org_id}/seats/assignments", {"person_id": form.get("person_id")})
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render(org_id, {"seat": form.from_result(r)}, refused_status(r))
    flash("The member has an online L1–2 account from your seats.", "success")
    return redirect(url_for("portal.organisation_settings", org_id=org_id, _anchor="seats"))
