"""The domain knowledge the portal still holds as copies of what the services decide: the
licence texts, the organisation stages, the role codes, the funding choices and the pathway
estimate. Everything here is to be replaced by reads of the services' APIs (catalogue, price
book); until then it lives in this one module so that replacing it touches no page.
"""

from __future__ import annotations

# The three organisational licences (seed 000). Fees are per size band in the price book.
LICENCES = [
    {
        "type": "starter",
        "phase": 1,
        "title": "Starter Licence",
        "subtitle": "Organisational engagement",
        "fee_key": "starter_fee",
        "summary": "The entry point into the system: it establishes organisational readiness. "
        "Required before anything else.",
        "includes": [
            "Organisational agreement to participate",
            "A named link contact",
            "Senior leadership commitment to the thinking involved",
            "Eligibility for CPD and bursary routes",
            "Access to the implementation pathway overview",
        ],
        "excludes": ["Training: this is system entry and governance alignment, not training"],
    },
    {
        "type": "cpd",
        "phase": 2,
        "title": "CPD Licence",
        "subtitle": "Professional learning (stages 2 and 3)",
        "fee_key": "cpd_fee",
        "summary": "Level 1–2 foundational learning that supports shared understanding across staff, with online "
        "account credits by size band and bundle pricing for extra accounts.",
        "includes": [
            "Level 1–2 online learning accounts (credits by size band)",
            "Shared language development",
            "Foundational relationship health understanding",
            "Extra accounts in bundles at a reduced marginal price per seat",
        ],
        "excludes": [
            "A practitioner qualification: Level 1–2 is not one",
            "Transfer of credits or accounts outside the organisation without explicit consent "
            "(a top-up fee may apply)",
        ],
    },
    {
        "type": "enhanced",
        "phase": 3,
        "title": "Enhanced Practice Licence",
        "subtitle": "Organisational practice permission (stages 4 and 5)",
        "fee_key": "enhanced_fee",
        "summary": "Organisational permission for applied practice, granted while trained practitioners "
        "(Link, Child or Lead) are in place or in training. Required for microproject packages, "
        "applied work with families, children or young people, and Tracker use in practice settings.",
        "includes": [
            "Organisational permission to run I Matter applied practice activity",
            "Governance framework for safe use of tools and pathways",
            "Recognition that trained practitioners (Link / Child / Lead) are in place or in development",
            "Access to the I Matter planning and tracking system",
        ],
        "excludes": [
            "Practitioner training",
            "Practitioner delivery time",
            "Microproject packages",
            "Supervision or support time",
            "Unlimited case activity",
        ],
    },
]

STAGES = {
    0: "Not yet engaged",
    1: "Engagement",
    2: "Shared learning",
    3: "Workforce",
    4: "Practitioners",
    5: "Microprojects",
}

ROLE_CODES = [
    ("informed", "Informed Practitioner"),
    ("senior_link", "Senior Link Practitioner"),
    ("link", "Link Practitioner"),
    ("child", "Child Practitioner"),
    ("lead", "Lead Practitioner"),
    ("lead_plus", "Lead Plus Practitioner"),
]

FUNDING_CHOICES = [
    ("cpd_credit", "Organisation CPD credit"),
    ("package", "Microproject package account"),
    ("bursary", "Bursary or funded place"),
    ("self", "Self-funded"),
]
# What a learner chooses for themself (domain row 80): bursary places and CPD seats are the
# organisation's decision (its admin places a member from the organisation page), so only these.
LEARNER_FUNDING_CHOICES = [("self", "Self-funded"), ("package", "Microproject package account")]


def merged_licences(book: dict | None) -> list[dict]:
    """The seed's words, with what the price book says each licence includes and excludes
    taking precedence where it answers (one source of truth once training publishes it)."""
    from_api = {lic.get("type"): lic for lic in (book or {}).get("licences") or [] if isinstance(lic, dict)}
    out = []
    for lic in LICENCES:
        api_lic = from_api.get(lic["type"], {})
        out.append({**lic, **{k: api_lic[k] for k in ("includes", "excludes") if api_lic.get(k)}})
    return out


def requirement_cost(req: dict) -> int:
    """A requirement's price is per unit; `quantity` units are needed (3 consolidation sessions)."""
    return int(req.get("price") or 0) * int(req.get("quantity") or 1)


def pathway_estimate(role: dict, roles: dict[str, dict], have: set[str]) -> dict:
    """Every requirement of a role with its cost, skipping what the visitor already has; and the
    cost from scratch including prerequisite roles, each requirement counted once (Deep Dive once)."""
    rows = [
        {**req, "cost": requirement_cost(req), "have": req.get("code") in have}
        for req in role.get("requirements", [])
    ]
    total = sum(r["cost"] for r in rows if not r["have"])
    seen: set[str] = set(have)

    def walk(r: dict) -> int:
        cost = 0
        for req in r.get("requirements", []):
            code = req.get("code")
            if code in seen:
                continue
            seen.add(code)
            cost += walk(roles[code]) if code in roles else requirement_cost(req)
        return cost

    for r in rows:
        if r.get("code") in roles:  # a prerequisite role: shown with its own cost, not added here
            r["role_cost"] = pathway_estimate(roles[r["code"]], roles, have)["with_prerequisites"]
    prerequisites = [roles[r["code"]] for r in rows if r.get("code") in roles and not r["have"]]
    return {"rows": rows, "total": total, "with_prerequisites": walk(role), "prerequisites": prerequisites}
