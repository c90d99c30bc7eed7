"""A past version of the price book, as it was sold at (training GET
/api/v1/price-book/versions/{number}, training admins): orders keep the version they were sold at,
so finance and support read what a customer was charged against. Read only; linked from
/admin/catalogue (every earlier version number)."""

from __future__ import annotations

from flask import abort, render_template

from ..plumbing import api, bp, gaps, require_role


@bp.get("/admin/price-book/versions/<int:number>")
@require_role("training_admin")
def price_book_version(number: int):
    r = api().get(f"/api/v1/price-book/versions/{number}")
    if r.status == 404:
        abort(404)
    return render_template(
        "portal/price_book_version.html",
        title=f"Price book version {number}",
        number=number,
        book=r.data if r.ok else None,
        gaps=gaps(),
    )
