"""Who may use a microproject package's online L1-2 accounts (training GET/POST
/api/v1/packages/{id}/accounts): the package's practitioner always may; the organisation's admin
lets other active members use them (`funding: package` enrolments). Training refuses anyone but
the organisation's admins (404) and names the rule otherwise (409 `membership`,
`package_account_assigned`); a refusal changes nothing. Linked from the organisation page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..forms import FormState, text
from ..plumbing import api, bp, gaps, signed_in, soft
from ..reads import org_lists, refused_status


def _render(org_id: str, package_id: str, form: FormState | None = None, status: int = 200):
    p = api().get(f"/api/v1/organisations/{org_id}/packages/{package_id}")
    grants = api().get(f"/api/v1/packages/{package_id}/accounts", per_page=100)
    if p.status == 404 or grants.status in (403, 404):
        abort(404)
    org = soft(lambda: api().get(f"/api/v1/organisations/{org_id}"))
    members = [m for m in org_lists(org_id)["members"] if (m.get("state") or m.get("status")) == "active"]
    names = {m.get("person_id"): m.get("name") or m.get("person_id") for m in members}
    return render_template(
        "portal/package_accounts.html",
        title="Package online accounts",
        org=org.data if org else {"id": org_id, "name": org_id},
        package=p.data if p.ok else {"id": package_id},
        grants=grants.items(),
        names=names,
        options=[(pid, name) for pid, name in names.items() if pid],
        form=form or FormState(),
        gaps=gaps(),
    ), status


@bp.get("/organisations/<org_id>/packages/<package_id>/accounts")
@signed_in
def package_accounts(org_id: str, package_id: str):
    return _render(org_id, package_id)


@bp.post("/organisations/<org_id>/packages/<package_id>/accounts")
@signed_in
def package_account_grant(org_id: str, package_id: str):
    form = FormState({"person_id": text("person_id", 64)})
    if not form.get("person_id"):
        form.add("person_id", "Choose the member.")
        return _render(org_id, package_id, form, 400)
    r = api().post(f"/api/v1/packages/{package_id}/accounts", {"person_id": form.get("person_id")})
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render(org_id, package_id, form.from_result(r), refused_status(r))
    flash("The member may now use one of the package's online accounts.", "success")
    return redirect(url_for("portal.package_accounts", org_id=org_id, package_id=package_id))
