"""The organisation-kind policy table, read from training (GET /api/v1/catalogue/organisation-kinds):
what each kind of organisation may not buy or hold, and the rule that says so (DOMAIN "Rulings" ->
Organisation kinds: "The policy table stays data, and the portal's 'ten elements' page shows it").

The portal keeps no copy of the table: the "ten elements" page and the words for a refused rule
(`unmet: ["policy:<action>"]`) come from this one API read, once per request."""

from __future__ import annotations

from .. import content
from ..views import api, bp, per_request, soft

KIND_LABELS = dict(content.ORG_KINDS)


def kind_label(kind: str) -> str:
    """The portal's name for a kind; a kind only training knows is shown by its code in words."""
    return KIND_LABELS.get(kind) or str(kind or "").replace("_", " ").capitalize()


@bp.app_template_global()
def organisation_kind_policy() -> dict | None:
    """`{actions: {action: description}, kinds: [{kind, label, holds, forbidden: [{action,
    description, rule}]}], by_kind: {kind: row}}`, or None when training cannot answer."""
    cache = per_request()
    if "organisation_kinds" not in cache:
        r = soft(lambda: api().get("/api/v1/catalogue/organisation-kinds"))
        data = r.data if r is not None and isinstance(r.data, dict) else None
        cache["organisation_kinds"] = _shape(data) if data is not None else None
    return cache["organisation_kinds"]


def _shape(data: dict) -> dict:
    actions = {
        str(a.get("action")): str(a.get("description") or "")
        for a in data.get("actions") or []
        if isinstance(a, dict) and a.get("action")
    }
    kinds = []
    for row in data.get("kinds") or []:
        if not isinstance(row, dict) or not row.get("kind"):
            continue
        forbidden = [
            {
                "action": f.get("action"),
                "description": actions.get(str(f.get("action")), ""),
                "rule": f.get("rule") or "",
            }
            for f in row.get("forbidden") or []
            if isinstance(f, dict)
        ]
        kinds.append(
            {
                "kind": row["kind"],
                "label": kind_label(row["kind"]),
                "holds": row.get("holds") or "",
                "forbidden": forbidden,
            }
        )
    return {"actions": actions, "kinds": kinds, "by_kind": {k["kind"]: k for k in kinds}}


@bp.app_template_global()
def rule_words(code: str) -> str:
    """An `unmet` code in words: a policy action by training's own description, others from the
    portal's short list, anything else by its code."""
    code = str(code or "")
    if code.startswith("policy:"):
        table = organisation_kind_policy() or {}
        description = (table.get("actions") or {}).get(code.removeprefix("policy:"))
        if description:
            return f"The organisation-kind policy: this kind of organisation may not {description}."
    return RULES.get(code) or code.replace("_", " ")


RULES = {
    "seats_available": "Enough unassigned seats free to transfer (seats held by open transfer requests count as taken).",
    "transfer_requested": "The request is still waiting for a decision (each request is decided once).",
}
