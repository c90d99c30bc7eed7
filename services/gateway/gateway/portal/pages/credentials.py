"""Verifiable credentials (issue 21, decisions 0050 and 0051): the holder downloads the Open
Badges 3.0 credential of a certification; anyone opens a credential's verification link or
pastes a credential to check it. The services decide everything shown: training verifies the
signature, what the credential claims and its revocation status; this page only asks and shows.

Over training's API: GET /api/v1/certifications/{id}/credential (the holder, a training admin),
GET /api/v1/credentials/{id}/status and POST /api/v1/credentials/verify (public)."""

from __future__ import annotations

import re

from flask import Response, abort, render_template

from ..forms import FormState, text
from ..plumbing import api, bp, secure, signed_in

VC_JWT = "application/vc+jwt"


def _page(form: FormState, status: dict | None = None, result: dict | None = None, code: int = 200):
    return render_template("portal/credential.html", form=form, status=status, result=result), code


@bp.get("/credentials/verify")
def verify_credential():
    return _page(FormState())


@bp.post("/credentials/verify")
def check_credential():
    form = FormState({"credential": text("credential", 20_000)})
    r = api().post("/api/v1/credentials/verify", {"credential": form.get("credential")})
    if not r.ok:
        form.from_result(r)
        return _page(form, code=400 if r.status == 400 else r.status)
    return _page(form, result=r.data)


@bp.get("/credentials/<credential_id>")
def credential_status(credential_id: str):
    """A credential's verification link: what I Matter Training's records say of it now."""
    r = api().get(f"/api/v1/credentials/{credential_id}/status")
    if r.status == 404:
        abort(404, description="No credential with that id.")
    if not r.ok:
        abort(r.status, description=r.detail)
    return _page(FormState(), status=r.data)


@bp.get("/certifications/<certification_id>/credential")
@signed_in
def download_credential(certification_id: str):
    """The holder's credential as a file (a VC-JWT) to keep, share or load into a wallet."""
    r = api().get(f"/api/v1/certifications/{certification_id}/credential")
    if not r.ok:
        abort(r.status, description=r.detail or "This credential is not available to you.")
    role = re.sub(r"[^a-z_]", "", str(r.data.get("role") or "certification"))
    resp = Response(r.data["credential"], mimetype=VC_JWT)
    resp.headers["Content-Disposition"] = f'attachment; filename="imatter-{role}-credential.jwt"'
    return secure(resp)
