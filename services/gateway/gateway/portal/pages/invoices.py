"""The printable invoice: one page per invoice, laid out for paper (a print stylesheet hides the
site's header, navigation and footer). Whoever may see the invoice in the API may print it (its
organisation's admins, the buyer, training admins); anyone else gets the API's 404.

Over training's public API: GET /api/v1/invoices/{id} (the invoice with its issuer, VAT status,
who it is billed to and its lines)."""

from __future__ import annotations

from flask import abort, render_template

from ..plumbing import api, bp, signed_in


@bp.get("/invoices/<invoice_id>")
@signed_in
def invoice(invoice_id: str):
    r = api().get(f"/api/v1/invoices/{invoice_id}")
    if not r.ok:
        abort(404 if r.status in (403, 404) else r.status)
    return render_template("portal/invoice.html", inv=r.data)
