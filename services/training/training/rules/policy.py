"""The organisation-kind policy (DOMAIN.md "Organisations and their kinds", seed 002).

One declarative table: for each kind, the actions it may not take and the boundary that
forbids it, in the seed's own words. Code asks `refusal(kind, action)`; the catalogue and
GET /organisations/{id} show the table. An action missing from a kind's row is allowed.
"""

from __future__ import annotations

KINDS = ("school", "primary_care", "community_service", "locality_hub", "commissioner", "other_service")

# Every action the API checks against this table, and where it is checked.
ACTIONS = {
    "cpd_licence": "hold a CPD Licence (online L1-2 account credits)",
    "online_accounts": "hold, buy, receive or assign online L1-2 learning accounts (seats, packages with accounts)",
    "paid_learning": "buy learning for its staff (CPD Licence, seat bundles, practitioner training)",
    "learning_pathways": "host long-term practitioner learning pathways",
    "learning_data": "own learners' learning data",
    "tracker_accounts": "hold Progress Tracker accounts (packages with Tracker uses)",
    "microproject_packages": "buy or hold microproject packages (applied work with cases)",
    "applied_practice": "hold an Enhanced Practice Licence (applied work with families, children, young people)",
    "case_management": "hold case management or specialist case responsibility",
    "bursary": "hold a bursary fund or give bursary places",
    "bursary_funding": "fund places and bursaries",
    "open_ended_support": "offer open-ended support or permanent case ownership",
}

# kind -> {forbidden action: the rule that forbids it} (DOMAIN "Rulings" -> Organisation kinds)
FORBIDDEN: dict[str, dict[str, str]] = {
    "primary_care": {
        "cpd_licence": "Primary care holds no learning data for the people it sees: no CPD Licence.",
        "online_accounts": "Primary care holds no learning data, so no online learning accounts (no seats, no "
        "package with online accounts; Type 1 Tracker-only packages are allowed).",
        "learning_data": "Primary care holds no ownership of learning data.",
        "bursary": "Primary care holds no paid learning transactions for the people it sees: no bursary.",
        "case_management": "Primary care has no expectation to manage ongoing complexity.",
    },
    "community_service": {
        "cpd_licence": "Community services do not hold I Matter online learning accounts: no CPD Licence.",
        "online_accounts": "Community services do not hold access to I Matter online learning accounts.",
        "tracker_accounts": "Community services do not provide Tracker accounts.",
        "microproject_packages": "Community services hold no package: every package carries online learning "
        "accounts or Tracker accounts.",
    },
    "commissioner": {
        "case_management": "Commissioners and grant bodies fund places and bursaries; they hold no case management.",
        "applied_practice": "Commissioners and grant bodies hold no case management, so no applied practice licence.",
        "microproject_packages": "Commissioners and grant bodies hold no case management, so no microproject packages.",
        "tracker_accounts": "Commissioners and grant bodies hold no case management, so no Tracker accounts.",
    },
    "school": {
        "case_management": "Schools and nurseries hold no specialist case responsibility: they host learning pathways, not therapeutic services.",
    },
    "locality_hub": {
        "open_ended_support": "Locality hubs offer time-limited, opt-in support only: no open-ended support.",
        "case_management": "Locality hubs hold no permanent case ownership: tracker and consultation use is time-limited and opt-in, with clear consent.",
    },
    "other_service": {},
}

# What a kind does hold (shown with the policy; not enforced).
HOLDS = {
    "school": "Hosts learning pathways and holds short-to-medium-term learning data.",
    "primary_care": "Opens conversations, introduces shared language and signposts; may hold the Starter, the "
    "Enhanced Licence and a community wheel licence, pay for its own professionals' practitioner "
    "training and buy Type 1 (Tracker only) packages.",
    "community_service": "Facilitates informed discussion and supports engagement in learning; may hold the "
    "Starter, the Enhanced Licence and a community wheel licence.",
    "locality_hub": "Time-limited, opt-in tracker and consultation use with clear consent.",
    "commissioner": "Funds places and bursaries.",
    "other_service": "A registered service: no kind-specific limits.",
}


def refusal(kind: str, action: str) -> str | None:
    """The rule that forbids `kind` from `action`, or None when it is allowed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown policy action {action!r}")
    return FORBIDDEN.get(kind, {}).get(action)


def allowed(kind: str, action: str) -> bool:
    return refusal(kind, action) is None


def table() -> dict:
    """The whole policy table, as data for GET /api/v1/catalogue/organisation-kinds."""
    return {
        "actions": [{"action": a, "description": d} for a, d in ACTIONS.items()],
        "kinds": [policy_for(k) for k in KINDS],
    }


def policy_for(kind: str) -> dict:
    """The table row of one kind, as data for the API."""
    return {
        "kind": kind,
        "holds": HOLDS.get(kind, ""),
        "forbidden": [{"action": a, "rule": r} for a, r in FORBIDDEN.get(kind, {}).items()],
    }
