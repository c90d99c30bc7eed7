"""The practitioner's pages: their pathways (booking items), certifications, Microproject
Practitioner Licences, directory listing and fund applications."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from .. import reference
from ..forms import FormState, integer, text
from ..plumbing import api, bp, gaps, me, money, refusal, signed_in, soft


@bp.get("/practitioner")
@signed_in
def practitioner():
    user = me()
    pid = user.get("person_id")
    pathways, certifications, licences = [], [], []
    if pid:
        r = soft(lambda: api().get(f"/api/v1/people/{pid}/pathways"))
        pathways = [{"code": p.get("role"), **p} for p in (r.items() if r else [])]
        c = soft(lambda: api().get(f"/api/v1/people/{pid}/certifications"))
        certifications = c.items() if c else []
        licences = _my_licences(pid)
    return render_template(
        "portal/practitioner.html",
        user=user,
        pathways=pathways,
        certifications=certifications,
        licences=licences,
        lp_licences=_my_lp_licences(pid) if pid else [],
        form=FormState(),
        **_reference(),
        gaps=gaps(),
    )


def _reference() -> dict:
    """What the page shows from training's catalogue: the requirements a person books
    themself, and what each practitioner licence state means with the holder's actions in it."""
    states = reference.practitioner_licence_states()
    return {
        "bookable": reference.self_booked(),
        "licence_notes": {state: row["note"] for state, row in states.items()},
        "licence_actions": {state: row["actions"] for state, row in states.items()},
    }


def _my_licences(pid: str) -> list[dict]:
    """The person's Microproject Practitioner Licences, newest first (training's by-person list)."""
    r = soft(lambda: api().get(f"/api/v1/people/{pid}/practitioner-licences", per_page=100))
    return r.items() if r else []


def _my_lp_licences(pid: str) -> list[dict] | None:
    """The person's Lead Professional licences (Level 3A, 4, 5, A, B, specialist), newest first;
    None when training cannot answer."""
    r = soft(lambda: api().get(f"/api/v1/people/{pid}/lead-professional-licences", per_page=100))
    return r.items() if r else None


@bp.post("/practitioner/pathways/<role>/items")
@signed_in
def book_item(role: str):
    pid = me().get("person_id") or abort(404)
    item = text("item", 60)
    r = api().post(f"/api/v1/people/{pid}/pathways/{role}/items", {"item": item})
    if r.ok:
        flash(f"Booked {item.replace('_', ' ')} for {money((r.data or {}).get('price'))}.", "success")
    else:
        flash(
            f"Not booked: {r.detail}"
            + (f" (still needed: {', '.join(map(str, r.unmet))})" if r.unmet else ""),
            "error",
        )
    return redirect(url_for("portal.practitioner", _anchor=f"pathway-{role}"))


@bp.post("/practitioner/licences")
@signed_in
def apply_licence():
    user = me()
    pid = user.get("person_id") or abort(404)
    areas = [a for a in (text(f"focus_area_{i}", 200) for i in (1, 2, 3)) if a]
    form = FormState(
        {"idea": text("idea", 4000), **{f"focus_area_{i}": text(f"focus_area_{i}", 200) for i in (1, 2, 3)}}
    )
    r = api().post(
        "/api/v1/practitioner-licences", {"person_id": pid, "idea": form.get("idea"), "focus_areas": areas}
    )
    if r.ok:
        flash("Your Microproject Practitioner Licence application is recorded.", "success")
        return redirect(url_for("portal.practitioner", _anchor="licence"))
    form.from_result(r)
    if "focus_areas" in form.errors:
        form.errors["focus_area_1"] = form.errors.pop("focus_areas")
    return render_template(
        "portal/practitioner.html",
        user=user,
        pathways=[],
        certifications=[],
        licences=_my_licences(pid),
        lp_licences=_my_lp_licences(pid),
        form=form,
        **_reference(),
        gaps=gaps(),
    ), 400


@bp.post("/practitioner/licences/<licence_id>/<action>")
@signed_in
def licence_action(licence_id: str, action: str):
    if action not in ("pause", "resume", "renew"):
        abort(404)
    r = api().post(f"/api/v1/practitioner-licences/{licence_id}/{action}")
    past = {"pause": "paused", "resume": "resumed", "renew": "renewed"}[action]
    flash(f"Licence {past}." if r.ok else f"Not {past}: {r.detail}", "success" if r.ok else "error")
    return redirect(url_for("portal.practitioner", _anchor="licence"))


@bp.post("/practitioner/directory")
@signed_in
def directory_opt():
    pid = me().get("person_id") or abort(404)
    opt_in = request.form.get("listed") == "1"
    if opt_in:
        body = {k: text(k, 500) for k in ("display_name", "locality", "summary") if text(k, 500)}
        r = api().post(f"/api/v1/people/{pid}/directory-entry", body)
    else:
        r = api().post(f"/api/v1/people/{pid}/directory-entry/withdraw")
    flash(
        ("You are listed in the directory." if opt_in else "You are no longer listed in the directory.")
        if r.ok
        else f"Not changed: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.practitioner", _anchor="directory"))


@bp.post("/fund/applications")
@signed_in
def fund_apply():
    user = me()
    body = {
        "practitioner_id": user.get("person_id") or "",
        "organisation_id": text("organisation_id", 64),
        "package_type": integer("package_type", 0),
        "summary": text("summary", 4000),
    }
    r = api().post("/api/v1/fund/applications", body)
    flash(
        "Your fund application is in the next review round." if r.ok else f"Not sent: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.practitioner", _anchor="fund"))
