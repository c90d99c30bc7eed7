"""A learner deletes one of their own informal I Matter Q answers (training DELETE
/api/v1/training/q/responses/{id}): the answers and their results are gone; only the learner
reaches them (anyone else gets 404). The Q page (pages/learning.py) shows the button."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from ..plumbing import api, bp, refusal, signed_in


@bp.post("/learning/imatter-q/<response_id>/delete")
@signed_in
def imatter_q_delete(response_id: str):
    r = api().delete(f"/api/v1/training/q/responses/{response_id}")
    if r.status in (403, 404):
        abort(404)
    if not r.ok:
        flash(refusal(r), "error")
        return redirect(url_for("portal.imatter_q_result", response_id=response_id, _anchor="result"))
    flash("Your answers and their results are deleted.", "success")
    return redirect(url_for("portal.imatter_q", _anchor="past"))
