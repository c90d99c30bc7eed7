"""Portal pages for the supervised practicum (DOMAIN "Rulings" -> Practitioner roles,
domain rows 29, 30, 35, 45, 86):

- Oversight (`/practice/oversight`): the microprojects the signed-in user may act on, with
  - "name the overseer" (practitioner, organisation admin, training admin; a certified Lead Plus
    who is an active member of the organisation, or one of I Matter Training's own Lead Plus
    named by a training admin) -> cic POST /api/v1/tracker/microprojects/{id}/overseer;
  - accept / decline for the named overseer (the assignment is pending until accepted);
  - sign-off of a practicum awaiting it (the accepted overseer or a Lead / Lead Plus of the
    organisation) -> POST .../sign-off; only then does training hear of the completion.
- Hubs (`/cic/hubs`, CIC staff): locality hubs, each linked to training's `locality_hub`
  organisation (POST /api/v1/hubs, POST /api/v1/hubs/{id}/organisation).
The ledger for CIC staff is pages/cic_finance.py (`/cic/finance`).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..forms import text
from ..plumbing import api, bp, gaps, has_role, refusal, require_role, signed_in, soft

STATE_LABELS = {
    "open": "Open",
    "awaiting_sign_off": "Awaiting sign-off",
    "completed": "Completed",
    "cancelled": "Cancelled",
}


@bp.get("/practice/oversight")
@signed_in
def practice_oversight():
    r = soft(lambda: api().get("/api/v1/tracker/microprojects", per_page=100))
    mine = soft(lambda: api().me())
    person_id = (mine.data or {}).get("person_id") if mine else None
    return render_template(
        "portal/cic_practice.html",
        microprojects=r.items() if r else None,
        person_id=person_id,
        labels=STATE_LABELS,
        training_admin=has_role("training_admin"),
        gaps=gaps(),
    )


def _back(mp_id: str):
    return redirect(url_for("portal.practice_oversight", _anchor=f"mp-{mp_id}"))


@bp.post("/practice/microprojects/<mp_id>/overseer")
@signed_in
def practice_assign_overseer(mp_id: str):
    person_id = text("person_id", 100)
    if not person_id:
        flash("Enter the overseer's person id.", "error")
        return _back(mp_id)
    r = api().post(f"/api/v1/tracker/microprojects/{mp_id}/overseer", {"person_id": person_id})
    flash(
        "Overseer named; they must accept before they read case content or sign off."
        if r.ok
        else f"Not named: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return _back(mp_id)


@bp.post("/practice/microprojects/<mp_id>/overseer/accept")
@signed_in
def practice_accept_oversight(mp_id: str):
    r = api().post(f"/api/v1/tracker/microprojects/{mp_id}/overseer/accept")
    flash(
        "You now oversee this microproject." if r.ok else f"Not accepted: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return _back(mp_id)


@bp.post("/practice/microprojects/<mp_id>/overseer/decline")
@signed_in
def practice_decline_oversight(mp_id: str):
    r = api().post(f"/api/v1/tracker/microprojects/{mp_id}/overseer/decline")
    flash(
        "You declined the oversight." if r.ok else f"Not declined: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return _back(mp_id)


@bp.post("/practice/microprojects/<mp_id>/sign-off")
@signed_in
def practice_sign_off(mp_id: str):
    r = api().post(f"/api/v1/tracker/microprojects/{mp_id}/sign-off")
    flash(
        "Practicum signed off; I Matter Training is told it is complete."
        if r.ok
        else f"Not signed off: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return _back(mp_id)


# -- CIC staff: locality hubs ---------------------------------------------------------------


@bp.get("/cic/hubs")
@require_role("cic_staff")
def cic_hubs():
    r = soft(lambda: api().get("/api/v1/hubs", per_page=100))
    return render_template("portal/cic_hubs.html", hubs=r.items() if r else None, gaps=gaps())


@bp.post("/cic/hubs")
@require_role("cic_staff")
def cic_hub_create():
    name = text("name", 200)
    if not name:
        flash("Enter the hub's name.", "error")
        return redirect(url_for("portal.cic_hubs"))
    body = {
        "name": name,
        "locality": text("locality", 200) or None,
        "organisation_id": text("organisation_id", 100) or None,
    }
    r = api().post("/api/v1/hubs", body)
    flash("Hub created." if r.ok else f"Not created: {refusal(r)}", "success" if r.ok else "error")
    return redirect(url_for("portal.cic_hubs"))


@bp.post("/cic/hubs/<hub_id>/organisation")
@require_role("cic_staff")
def cic_hub_link(hub_id: str):
    r = api().post(
        f"/api/v1/hubs/{hub_id}/organisation", {"organisation_id": text("organisation_id", 100) or None}
    )
    flash("Hub linked." if r.ok else f"Not linked: {refusal(r)}", "success" if r.ok else "error")
    return redirect(url_for("portal.cic_hubs"))
