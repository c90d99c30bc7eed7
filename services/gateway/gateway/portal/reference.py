"""The reference data the services publish so that the portal holds no rule of its own: training's
licence texts, implementation stages, funding choices, membership roles, self-booked requirements
practitioner licence states, the Lead Professional route and the cases a microproject package is
for (GET /api/v1/catalogue/...), and
cic-tracker's score ranges.

Each is read once per request at most, through the gateway's catalogue cache (decision 0034:
training's answers are reused for a few seconds and forgotten at once when an edit goes through the
gateway, so a page costs training nothing while they are unchanged), and softly: when the owning service cannot answer the read gives None (or an empty
choice), the page says which part could not be shown, and the API refuses what it would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import content
from .plumbing import api, in_words, per_request, soft

CATALOGUE = "/api/v1/catalogue"


def _read(path: str, shape: Callable[[Any], Any], **params) -> Any:
    """`shape` of the answer's body (None when the service cannot answer), once per request."""
    cache = per_request().setdefault("reference", {})
    if path not in cache:
        r = soft(lambda: api().get(path, **params))
        data = r.data if r is not None else None
        cache[path] = shape(data) if isinstance(data, dict) else None
    return cache[path]


def _items(data: dict) -> list[dict]:
    return [i for i in data.get("items") or [] if isinstance(i, dict)]


def _list(path: str) -> list[dict] | None:
    """Every item of one of the catalogue's short paged lists (all fit on one page)."""
    return _read(path, _items, per_page=100)


# -- training's catalogue --------------------------------------------------------------------


def licences() -> list[dict] | None:
    """The organisational licences in phase order (type, phase, name, subtitle, summary,
    includes, excludes, agreement, fee_key, ...), or None when training cannot answer."""
    return _list(f"{CATALOGUE}/licences")


def licence(licence_type: str) -> dict | None:
    return next((lic for lic in licences() or [] if lic.get("type") == licence_type), None)


def stages() -> dict[int, str]:
    """{number: name} of the implementation stages; {} when training cannot answer."""
    rows = _list(f"{CATALOGUE}/stages") or []
    return {int(s["number"]): str(s.get("name") or "") for s in rows if isinstance(s.get("number"), int)}


def fundings(kind: str) -> list[tuple[str, str]]:
    """(code, label) of the funding choices: `enrolment` (an organisation's admin placing a
    member), `learner_enrolment` (what a learner chooses for themself) or `package`."""
    data = _read(f"{CATALOGUE}/fundings", lambda d: d) or {}
    return [(str(f.get("code")), str(f.get("label") or f.get("code"))) for f in data.get(kind) or []]


def membership_roles() -> list[tuple[str, str]] | None:
    """(code, label) of the closed list of membership roles, or None when training cannot answer."""
    rows = _list(f"{CATALOGUE}/membership-roles")
    return (
        None if rows is None else [(str(r.get("code")), str(r.get("label") or r.get("code"))) for r in rows]
    )


def self_booked() -> set[str]:
    """The requirement codes a person books themself on their pathway."""
    rows = _list(f"{CATALOGUE}/requirements") or []
    return {str(r.get("code")) for r in rows if r.get("self_booked")}


def practitioner_licence_states() -> dict[str, dict]:
    """{state: {"note": ..., "actions": [(action, label), ...]}} of a Microproject Practitioner
    Licence: what the state means for the holder and the buttons the holder gets in it."""
    rows = _list(f"{CATALOGUE}/practitioner-licence-states") or []
    return {
        str(r.get("state")): {
            "note": str(r.get("note") or ""),
            "actions": [
                (str(a.get("action")), str(a.get("label") or a.get("action")))
                for a in r.get("actions") or []
                if isinstance(a, dict)
            ],
        }
        for r in rows
    }


def _course_titles() -> dict[str, str]:
    """{course code: title} of the current price book's courses ({} when training cannot answer)."""
    book = _read(f"{CATALOGUE}/price-book", lambda d: d) or {}
    return {c["code"]: c["title"] for c in book.get("courses") or []}


def _after(route: dict, titles: dict[str, str]) -> str:
    """'Intermediate A or B'-style words for the courses an entry route comes after."""
    codes, conjunction = (route["any_of"], "or") if "any_of" in route else (route["all_of"], "and")
    return in_words([titles.get(c, c.replace("_", " ")) for c in codes], conjunction)


def lead_professional_route() -> dict:
    """Training's Lead Professional route in the portal's words: `routes` [(code, label)],
    `min_references`, `states` {code: label} in order, `records` [(code, label)] a trainee records
    themself (the log book has its own form) with their `targets` {code: per period}, `courses`
    `audiences` and `scopes` of a Level 3A group.
    Empty choices when training cannot answer (the API then refuses what it would refuse)."""
    data = _read(f"{CATALOGUE}/lead-professional-routes", lambda d: d)
    if data is None:
        return {
            "routes": [],
            "min_references": 0,
            "states": {},
            "records": [],
            "targets": {},
            "courses": [],
            "audiences": [],
            "scopes": [],
        }
    titles = _course_titles()
    rules = {r["code"]: r for r in data.get("group_audience_rules", [])}
    return {
        "routes": [
            (
                r["code"],
                f"{content.LP_ROUTE_NAMES.get(r['code'], r['code'])}: after {_after(r, titles)}"
                + content.LP_ROUTE_NOTES.get(r["code"], ""),
            )
            for r in data["routes"]
        ],
        "min_references": data["min_references"],
        "states": {s: content.LP_STATE_LABELS.get(s, s.capitalize()) for s in data["states"]},
        "records": [
            (o["code"], content.LP_RECORD_LABELS.get(o["code"], o["title"]))
            for o in data["self_recorded"]
            if o["code"] != "log_book"
        ],
        "targets": {o["code"]: o["target"] for o in data["self_recorded"]},
        "courses": [(c, content.LP_COURSE_LABELS.get(c, titles.get(c, c))) for c in data["group_courses"]],
        "audiences": [
            (a, content.LP_AUDIENCE_LABELS.get(a, a.capitalize()) + _audience_needs(rules.get(a)))
            for a in data["group_audiences"]
        ],
        # decision 0056: what each scope needs, said by training
        "scopes": [
            (
                s["code"],
                f"{s['title']} (licences: {', '.join(k.replace('_', ' ') for k in s['licence_kinds'])})",
            )
            for s in data.get("group_scopes", [])
        ],
    }


def _audience_needs(rule: dict | None) -> str:
    """What an audience beyond adults needs, as training says (decision 0057): the licence kinds
    and the specialist licence area; nothing for an audience any group licence covers."""
    if not rule or not rule.get("specialist_area"):
        return ""
    kinds = " or ".join(k.replace("_", " ").capitalize() for k in rule["licence_kinds"])
    area = rule["specialist_area"].replace("_", " ")
    return f" — needs a {kinds} licence and a {area} specialist licence"


def package_rules() -> dict | None:
    """{min_cases, max_cases} that every microproject package type shares, or None."""
    return _read(f"{CATALOGUE}/package-rules", lambda d: d)


# -- cic-tracker's score ranges --------------------------------------------------------------


def _scale(data: dict) -> dict | None:
    if not isinstance(data.get("min"), int) or not isinstance(data.get("max"), int):
        return None
    return {"min": data["min"], "max": data["max"], "step": data.get("step") or 1}


def tracker_scale() -> dict | None:
    """{min, max, step} of an area's score in a Tracker assessment, or None."""
    return _read("/api/v1/tracker/scale", _scale)


def review_scale() -> dict | None:
    """{min, max, step} of a Fund reviewer's score of an application, or None."""
    return _read("/api/v1/fund/review-scale", _scale)


def scale_attrs(scale: dict | None) -> str:
    """The number input's bounds for a score on `scale` (nothing when the range is unknown)."""
    if not scale:
        return ""
    return f'min="{int(scale["min"])}" max="{int(scale["max"])}" step="{int(scale["step"])}"'


def scale_words(scale: dict | None) -> str:
    """' from 0 to 10' for a score on `scale`, to end a sentence ('' when the range is unknown)."""
    return f" from {scale['min']} to {scale['max']}" if scale else ""
