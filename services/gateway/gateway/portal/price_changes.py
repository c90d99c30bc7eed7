"""Price-book edits are shown before they are saved: what changes, old -> new per field.

A price-book form posts its values; the page validates them, works out the new book, and calls
`preview_or_go`. The first post answers with a preview page listing each changed field (money in
pounds and pence) and a "Save these changes" form that posts the same values again with
`confirm=yes` and the version the preview was made from. Only that second post publishes, and only
while the book is still at that version: if someone published in between, the preview is shown
again against the new version. A post that changes nothing publishes nothing.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request

from .forms import CSRF_FIELD
from .plumbing import money

MONEY_KEYS = frozenset({"price", "starter_fee", "cpd_fee", "enhanced_fee"})
_NOT_RESENT = frozenset({CSRF_FIELD, "confirm", "seen_version"})


def shown(key: str, value) -> str:
    if key in MONEY_KEYS:
        return money(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None or value == "" else str(value)


def changes(before: dict, after: dict, labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, old, new) for each field in `labels` whose value differs, in `labels` order."""
    return [
        (label, shown(key, before.get(key)), shown(key, after.get(key)))
        for key, label in labels.items()
        if before.get(key) != after.get(key)
    ]


def preview_or_go(what: str, diff: list[tuple[str, str, str]], book: dict, back: str):
    """None when the admin confirmed this change against the version in force (go and publish);
    otherwise the response to send: the preview, or back to the editor when nothing changed."""
    version = str(book.get("version"))
    confirmed = request.form.get("confirm") == "yes"
    if not diff:
        flash(f"{what}: nothing changed, so no new price-book version was published.", "success")
        return redirect(back)
    if confirmed and request.form.get("seen_version") == version:
        return None
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in _NOT_RESENT]
    return render_template(
        "portal/price_book_preview.html",
        what=what,
        changes=diff,
        fields=fields,
        version=version,
        action=request.path,
        back=back,
        stale=confirmed,  # confirmed against an older version: someone published in between
    )
