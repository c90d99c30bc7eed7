"""API reads that several page families share, and the organisation page they all return to.

Each read goes through the public API with the signed-in user's token (plumbing.api()); a
`soft` read gives None (and a note on the page) when the owning service cannot answer.
"""

from __future__ import annotations

from flask import abort, render_template

from . import content, reference
from .forms import FormState
from .plumbing import api, bp, gaps, in_words, per_request, soft

# -- organisations ---------------------------------------------------------------------------


def org_or_404(org_id: str) -> dict:
    r = api().get(f"/api/v1/organisations/{org_id}")
    if r.status in (403, 404):
        abort(404)
    if not r.ok:
        abort(r.status if r.status < 500 else 503)
    return r.data


def org_lists(org_id: str) -> dict:
    """The organisation's members, orders and packages, each from its own list."""
    a = api()
    out = {}
    for key in ("members", "orders", "packages"):
        r = soft(lambda k=key: a.get(f"/api/v1/organisations/{org_id}/{k}", per_page=100))
        out[key] = r.items() if r else []
    return out


def seat_summary(seats) -> dict | None:
    """Used and total seats (training's seat summary) with what is free and the share in use."""
    if not isinstance(seats, dict):
        return None
    used = int(seats.get("used") or 0)
    total = int(seats.get("total") or 0)
    return {
        "used": used,
        "total": total,
        "available": max(total - used, 0),
        "percent": round(100 * used / total) if total else 0,
    }


def wheel_licences_of(org_id: str) -> list[dict] | None:
    """The organisation's community wheel licences (newest first); None when training is down."""
    r = soft(lambda: api().get("/api/v1/training/community-wheel/licences", per_page=100))
    if r is None:
        return None
    return [lic for lic in r.items() if isinstance(lic, dict) and lic.get("organisation_id") == org_id]


def render_organisation(org_id: str, member_form: FormState | None = None) -> str:
    """The organisation page: the pages that act on an organisation show it again on a refusal."""
    org = org_or_404(org_id)
    return render_template(
        "portal/organisation.html",
        org=org,
        seats=seat_summary(org.get("seats")),
        stages=reference.stages(),
        licence_info=reference.licences() or [],
        **org_lists(org_id),
        courses=catalogue_items("/api/v1/catalogue/courses"),
        package_types=catalogue_items("/api/v1/catalogue/packages"),
        funding=reference.fundings("enrolment"),
        member_form=member_form or FormState(),
        wheel_licences=wheel_licences_of(org_id),
        gaps=gaps(),
    )


# -- the catalogue and the price book --------------------------------------------------------


def catalogue_items(path: str) -> list:
    r = soft(lambda: api().get(path, per_page=100))
    return r.items() if r else []


def price_book() -> dict | None:
    """The public price book (size bands, licences, the placeholder notice), or None."""
    r = soft(lambda: api().get("/api/v1/catalogue/price-book"))
    return r.data if r is not None and isinstance(r.data, dict) else None


def size_bands() -> list[dict]:
    return (price_book() or {}).get("size_bands", [])


# -- the Progress Tracker --------------------------------------------------------------------


def microproject_of(mp_id: str) -> dict:
    r = api().get(f"/api/v1/tracker/microprojects/{mp_id}")
    if r.ok:
        return r.data
    for p in api().get("/api/v1/tracker/microprojects", per_page=100).items():
        if str(p.get("id")) == mp_id:
            return p
    abort(404)


def cases_of(mp_id: str) -> list:
    r = soft(lambda: api().get(f"/api/v1/tracker/microprojects/{mp_id}/cases", per_page=100))
    return r.items() if r else []


def case_of(case_id: str) -> dict:
    r = api().get(f"/api/v1/tracker/cases/{case_id}")
    if r.status in (403, 404):
        abort(404)
    return r.data if r.ok else {"id": case_id}


def areas() -> list[tuple[str, str]]:
    """The scored areas are configurable data in cic-tracker: (code, label) of the active ones."""
    r = soft(lambda: api().get("/api/v1/tracker/areas"))
    items = r.items() if r else []
    return [
        (a.get("code"), a.get("label") or a.get("code"))
        for a in items
        if isinstance(a, dict) and a.get("active", True)
    ]


# -- what every microproject package shares (training's catalogue) ----------------------------


@bp.app_template_global()
def package_rules() -> dict | None:
    """{min_cases, max_cases} every package type shares (training's rule), or None."""
    return reference.package_rules()


@bp.app_template_global()
def package_cases() -> str:
    """'1 to 3': the cases a package is for (training's rule); '' when training cannot answer."""
    rules = reference.package_rules()
    return f"{rules['min_cases']} to {rules['max_cases']}" if rules else ""


@bp.app_template_global()
def excluded_by_all(packages: list[dict]) -> str:
    """What every one of the package types `packages` excludes, in training's words and order:
    'practitioner time, delivery, supervision or ongoing support' ('' when nothing is shared)."""
    if not packages:
        return ""
    shared = [x for x in packages[0]["excludes"] if all(x in p["excludes"] for p in packages[1:])]
    return in_words(shared, "or")


# -- the organisation-kind policy table (GET /api/v1/catalogue/organisation-kinds) ------------
# DOMAIN "Rulings" -> Organisation kinds: "The policy table stays data, and the portal's 'ten
# elements' page shows it". The portal keeps no copy of the table: the page and the words for a
# refused rule (`unmet: ["policy:<action>"]`) come from this one API read, once per request.

RULES = {
    "seats_available": "Enough unassigned seats free to transfer (seats held by open transfer requests count as taken).",
    "transfer_requested": "The request is still waiting for a decision (each request is decided once).",
}


def kind_label(kind: str) -> str:
    """The portal's name for a kind; a kind only training knows is shown by its code in words."""
    return content.KIND_LABELS.get(kind) or str(kind or "").replace("_", " ").capitalize()


@bp.app_template_global()
def organisation_kind_policy() -> dict | None:
    """`{actions: {action: description}, kinds: [{kind, label, holds, forbidden: [{action,
    description, rule}]}], by_kind: {kind: row}}`, or None when training cannot answer."""
    cache = per_request()
    if "organisation_kinds" not in cache:
        r = soft(lambda: api().get("/api/v1/catalogue/organisation-kinds"))
        data = r.data if r is not None and isinstance(r.data, dict) else None
        cache["organisation_kinds"] = _policy_shape(data) if data is not None else None
    return cache["organisation_kinds"]


def _policy_shape(data: dict) -> dict:
    """Training's table (OrganisationKindsOut) with each forbidden action's description and each
    kind's portal label alongside."""
    actions = {a["action"]: a["description"] for a in data["actions"]}
    kinds = [
        {
            "kind": row["kind"],
            "label": kind_label(row["kind"]),
            "holds": row["holds"],
            "forbidden": [
                {"action": f["action"], "description": actions.get(f["action"], ""), "rule": f["rule"]}
                for f in row["forbidden"]
            ],
        }
        for row in data["kinds"]
    ]
    return {"actions": actions, "kinds": kinds, "by_kind": {k["kind"]: k for k in kinds}}


def organisation_kinds() -> list[tuple[str, str]]:
    """The kinds an organisation may be registered as, in training's order, with the portal's
    words for each (none when training cannot answer)."""
    table = organisation_kind_policy() or {}
    return [(k["kind"], k["label"]) for k in table.get("kinds") or []]


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


# -- the Lead Professional route (/api/v1/lead-professionals) --------------------------------

LP_API = "/api/v1/lead-professionals"


def lp_application(aid: str) -> dict:
    r = api().get(f"{LP_API}/applications/{aid}")
    if r.status == 404:
        abort(404)
    if not r.ok:
        abort(r.status if r.status in (400, 403) else 503)
    return r.data


def lp_extras(a: dict | None) -> dict:
    """The log book and the Level 3A groups of an application the caller may read in full."""
    if not a or a.get("view") != "full" or a.get("state") not in ("trainee", "implementation", "approved"):
        return {"log_book": [], "groups": []}
    book = soft(lambda: api().get(f"{LP_API}/applications/{a['id']}/log-book", per_page=100))
    groups = soft(lambda: api().get(f"{LP_API}/applications/{a['id']}/level-3a-groups", per_page=100))
    return {"log_book": book.items() if book else [], "groups": groups.items() if groups else []}


def refused_status(r) -> int:
    """The page's status for a refused write: 409 for a rule, 400 for input, 503 for the service."""
    return 409 if r.status == 409 else 400 if r.status < 500 else 503
