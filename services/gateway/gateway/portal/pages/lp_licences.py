"""Lead Professional licences in the portal (issue 21, decisions 0055-0057): the holder's licences
on the practitioner page (pages/practitioner.py reads them with `my_lp_licences`) and the licence's
credential download; training admins' page per person: the licences with a revoke form each, and
a grant form listing the kinds the person is eligible for (what is unmet for the others).

Over training's API: GET/POST /api/v1/people/{id}/lead-professional-licences, GET .../eligibility,
POST /api/v1/lead-professionals/licences/{id}/revoke, GET .../credential. Training decides
everything: eligibility, who may grant and see; this page only asks and shows."""

from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for

from ..forms import FormState, text
from ..plumbing import api, bp, gaps, require_role, secure, signed_in, soft
from ..reads import refused_status

VC_JWT = "application/vc+jwt"
EMPLOYMENT = (
    ("", "Not attested"),
    ("salaried", "Salaried professional"),
    ("team_freelance", "I Matter Training team (freelance)"),
    ("team_employed", "I Matter Training team (employed)"),
)


@bp.get("/lead-professional-licences/<licence_id>/credential")
@signed_in
def download_licence_credential(licence_id: str):
    """The holder's licence credential as a file (a VC-JWT)."""
    r = api().get(f"/api/v1/lead-professionals/licences/{licence_id}/credential")
    if not r.ok:
        abort(r.status, description=r.detail or "This credential is not available to you.")
    kind = re.sub(r"[^a-z0-9_]", "", str(r.data.get("licence_kind") or "licence"))
    resp = Response(r.data["credential"], mimetype=VC_JWT)
    resp.headers["Content-Disposition"] = f'attachment; filename="imatter-{kind}-licence-credential.jwt"'
    return secure(resp)


def _choice(name: str, allowed) -> str:
    value = (request.values.get(name) or "").strip()[:40]
    return value if value in allowed else ""


def _render(pid: str, form: FormState | None = None, revoke_form: FormState | None = None, status: int = 200):
    a = api()
    person = a.get(f"/api/v1/people/{pid}")
    if person.status == 404:
        abort(404)
    org_id = (request.values.get("organisation_id") or "").strip()[:32]
    employment = _choice("employment", {e for e, _ in EMPLOYMENT})
    # the paths are written out in full (not built by a helper) so tools/portal_coverage.py sees them
    licences = soft(lambda: a.get(f"/api/v1/people/{pid}/lead-professional-licences", per_page=100))
    eligibility = soft(
        lambda: a.get(
            f"/api/v1/people/{pid}/lead-professional-licences/eligibility",
            organisation_id=org_id or None,
            employment=employment or None,
            per_page=100,
        )
    )
    kinds = soft(lambda: a.get("/api/v1/lead-professionals/licence-kinds", per_page=100))
    rows = eligibility.items() if eligibility else []
    eligible = [e for e in rows if e["eligible"]]
    choices = [("", "Choose")] + [
        (
            f"{e['kind']}:{e['area']}",
            e["title"] + ("" if e["area"] == "adults" else f" ({e['area'].replace('_', ' ')})"),
        )
        for e in eligible
    ]
    return render_template(
        "portal/admin_lp_licences.html",
        title="Lead Professional licences",
        person=person.data if person.ok else {"id": pid},
        licences=licences.items() if licences else None,
        eligible=eligible,
        choices=choices,
        not_eligible=[e for e in rows if not e["eligible"]],
        kinds={k["code"]: k for k in (kinds.items() if kinds else [])},
        org_id=org_id,
        employment=employment,
        employment_options=EMPLOYMENT,
        form=form or FormState({"organisation_id": org_id, "employment": employment}),
        revoke_form=revoke_form or FormState(),
        gaps=gaps(),
    ), status


@bp.get("/admin/lead-professional-licences")
@require_role("training_admin")
def admin_lp_licences_find():
    """Find a person by their id (from an application, a pathway item, a membership)."""
    pid = (request.args.get("person_id") or "").strip()[:32]
    if pid:
        return redirect(url_for("portal.admin_lp_licences", pid=pid))
    return render_template(
        "portal/admin_lp_licences.html", title="Lead Professional licences", person=None, gaps=gaps()
    )


@bp.get("/admin/people/<pid>/lead-professional-licences")
@require_role("training_admin")
def admin_lp_licences(pid: str):
    return _render(pid)


@bp.post("/admin/people/<pid>/lead-professional-licences")
@require_role("training_admin")
def admin_lp_licence_grant(pid: str):
    choice = text("choice", 80)  # "<kind>:<area>" from the list of eligible kinds
    kind, _, area = choice.partition(":")
    form = FormState(
        {
            "choice": choice,
            "organisation_id": text("organisation_id", 32),
            "employment": text("employment", 20),
            "note": text("note", 500),
        }
    )
    if not kind:
        form.add("choice", "Choose the licence to grant.")
        return _render(pid, form=form, status=400)
    body = {"kind": kind}
    if area and area != "adults":
        body["area"] = area
    for name in ("organisation_id", "employment", "note"):
        if form.get(name):
            body[name] = form.get(name)
    r = api().post(f"/api/v1/people/{pid}/lead-professional-licences", body)
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render(pid, form=form.from_result(r), status=refused_status(r))
    flash(f"Granted: {(r.data or {}).get('title') or kind}. Its credential is issued.", "success")
    return redirect(url_for("portal.admin_lp_licences", pid=pid))


@bp.post("/admin/people/<pid>/lead-professional-licences/<licence_id>/revoke")
@require_role("training_admin")
def admin_lp_licence_revoke(pid: str, licence_id: str):
    form = FormState({"reason": text("reason", 300), "licence_id": licence_id})
    if len(form.get("reason").strip()) < 5:
        form.add(
            "reason", "Say why the licence is revoked (at least 5 characters): it is kept on the record."
        )
        return _render(pid, revoke_form=form, status=400)
    r = api().post(f"/api/v1/lead-professionals/licences/{licence_id}/revoke", {"reason": form.get("reason")})
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render(pid, revoke_form=form.from_result(r), status=refused_status(r))
    flash("Licence revoked: its credential now shows as revoked.", "success")
    return redirect(url_for("portal.admin_lp_licences", pid=pid))
