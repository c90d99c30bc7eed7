"""Downloads (CSV) for staff and commissioners: one page listing what the signed-in user may take,
and one route that passes the owning service's CSV through with the user's token. The services
decide who may download (a refusal is shown as the API's problem); the page only lists the links
the user's roles and organisations make useful.

Over the services' APIs: training /api/v1/training/exports/... (training admin; a commissioner's
deposits), cic-tracker /api/v1/cic/exports/... (CIC staff, fund reviewers; commissioners: the
evaluation summary)."""

from __future__ import annotations

from flask import Response, abort, render_template

from ..plumbing import api, bp, gaps, has_role, secure, signed_in, soft

TRAINING = (
    ("orders", "Orders, with their lines and invoice"),
    ("invoices", "Invoices, every state"),
    ("certifications", "Certifications"),
    ("licences", "Organisational licences, with their status today"),
    ("practitioner-licences", "Practitioner licences"),
)
CIC = (
    ("fund-rounds", "Development Fund rounds: applications and amounts"),
    ("fund-ledger", "Development Fund ledger: gifts received and awards, with the balance"),
)
EVALUATION = ("evaluation-summary", "Evaluation summary (anonymised; small cells left empty)")
PATHS = {name: f"/api/v1/training/exports/{name}.csv" for name, _ in TRAINING} | {
    name: f"/api/v1/cic/exports/{name}.csv" for name, _ in CIC + (EVALUATION,)
}


def _commissioner_orgs() -> list[dict]:
    r = soft(lambda: api().get("/api/v1/organisations", per_page=100))
    return [o for o in (r.items() if r else []) if o.get("kind") == "commissioner"]


@bp.get("/downloads")
@signed_in
def downloads():
    commissioners = _commissioner_orgs()
    return render_template(
        "portal/downloads.html",
        training=TRAINING if has_role("training_admin") else (),
        cic=CIC if has_role("cic_staff", "fund_reviewer") else (),
        evaluation=EVALUATION if commissioners or has_role("cic_staff", "fund_reviewer") else None,
        commissioners=commissioners,
        gaps=gaps(),
    )


def _pass_through(path: str):
    r = api().csv(path)
    if not r.ok:
        abort(r.status, description=r.detail or "This download is not available to you.")
    resp = Response(r.content, mimetype="text/csv")
    resp.headers["Content-Disposition"] = r.headers.get("Content-Disposition", "attachment")
    return secure(resp)  # never cached: the portal sets no-store on every answer


@bp.get("/downloads/<name>.csv")
@signed_in
def download(name: str):
    if name not in PATHS:
        abort(404)
    return _pass_through(PATHS[name])


@bp.get("/downloads/commissioners/<organisation_id>/funded-places.csv")
@signed_in
def download_funded_places(organisation_id: str):
    return _pass_through(f"/api/v1/training/exports/commissioners/{organisation_id}/funded-places.csv")
