"""The first price book: the seeds' catalogue (courses, roles, package types, products) and the
PLACEHOLDER size bands and fees, served as version 1 until a training admin publishes one."""

from __future__ import annotations

import copy

from imatter_shared.contract import packages as contract

PLACEHOLDER_LABEL = "PLACEHOLDER fee — not published by I Matter"
PLACEHOLDER_NOTICE = (
    "PLACEHOLDER fee — not published by I Matter. Size bands, licence fees, seat bundle "
    "prices, the online L1-2 course fees, the transfer top-up fee and the affiliate percentage "
    "are placeholders until a training admin edits the price book."
)


def _band(code, label, staff_min, staff_max, starter, cpd, enhanced, seats):
    return {
        "code": code,
        "label": f"{label} — {PLACEHOLDER_LABEL}",
        "staff_min": staff_min,
        "staff_max": staff_max,
        "starter_fee": starter,
        "cpd_fee": cpd,
        "enhanced_fee": enhanced,
        "cpd_seats_included": seats,
        "placeholder": True,
    }


# All money in integer pence. Placeholder values, labelled as such wherever they are shown.
PLACEHOLDER_BOOK: dict = {
    "currency": "GBP",
    "placeholder": True,
    "notice": PLACEHOLDER_NOTICE,
    "size_bands": [
        _band("micro", "Micro (1–10 staff)", 1, 10, 15000, 30000, 25000, 5),
        _band("small", "Small (11–50 staff)", 11, 50, 25000, 60000, 45000, 10),
        _band("medium", "Medium (51–250 staff)", 51, 250, 45000, 120000, 75000, 25),
        _band("large", "Large (251+ staff)", 251, None, 75000, 240000, 120000, 50),
    ],
    "seat_bundle_tiers": [
        {"from_seat": 1, "unit_price": 6000},
        {"from_seat": 6, "unit_price": 5000},
        {"from_seat": 11, "unit_price": 4000},
        {"from_seat": 26, "unit_price": 3000},
    ],
    "transfer_top_up_fee": 2500,  # per seat moved outside the organisation
    "affiliate_percentage": 10,
}
for _tier in PLACEHOLDER_BOOK["seat_bundle_tiers"]:
    _tier.update(placeholder=True, label=PLACEHOLDER_LABEL)

# ---- the catalogue: data I Matter Training changes without a release -------------------------
# Courses, practitioner roles and their requirements, microproject package types. Prices the
# seeds publish (seed 000) are used exactly; what the seeds do not publish (the online L1-2
# course fees, Awareness, the study supporter preparation course) is a labelled placeholder.


def _course(code, level, title, price, kind, online_account, unit="per person", placeholder=False):
    row = {
        "code": code,
        "level": level,
        "title": title,
        "price": price,
        "unit": unit,
        "kind": kind,
        "online_account": online_account,
        "placeholder": placeholder,
        "price_status": "placeholder" if placeholder else "published",
    }
    if placeholder:
        row["placeholder_label"] = PLACEHOLDER_LABEL
    return row


SEED_COURSES: list[dict] = [
    _course(
        "awareness",
        0,
        "Awareness: introductions, getting started and the informal I Matter Q",
        0,
        "online_course",
        False,
        placeholder=True,
    ),
    _course("foundation_a1", 1, "Level 1 Foundation A part 1", 4500, "online_course", True, placeholder=True),
    _course("foundation_a2", 1, "Level 1 Foundation A part 2", 4500, "online_course", True, placeholder=True),
    _course("foundation_b", 1, "Level 1 Foundation B", 4500, "online_course", True, placeholder=True),
    _course("intermediate_a", 2, "Level 2 Intermediate A", 6000, "online_course", True, placeholder=True),
    _course("intermediate_b", 2, "Level 2 Intermediate B", 6000, "online_course", True, placeholder=True),
    _course("deep_dive", 3, "Deep Dive", 75000, "training", False),
    _course("study_support", 2, "Study support", 25000, "session", False),
    _course(
        "consolidation",
        2,
        "Monthly consolidation session",
        15000,
        "session",
        False,
        unit="per person per session",
    ),
    _course("senior_link_training", 3, "Senior Link training", 25000, "training", False),
    _course("link_training", 3, "Link training", 25000, "training", False),
    _course("lead_training", 3, "Lead training", 25000, "training", False),
    _course("lead_plus_training", 3, "Lead Plus training", 25000, "training", False),
    _course("child_practicum", 3, "Child practicum", 25000, "practicum", False),
    _course(
        "study_supporter_preparation",
        3,
        "Study supporters preparation course",
        15000,
        "preparation",
        False,
        placeholder=True,
    ),
]

# The requirement code of the overseer a Type 1 practicum needs (the contract names it).
OVERSEER_REQUIREMENT = contract.oversight_requirement(contract.OVERSEER_ROLE)

# Titles of the requirement codes (the codes themselves are the contract's vocabulary, and what
# each kind of requirement means is logic in rules/roles.py).
SEED_REQUIREMENT_TITLES: dict[str, str] = {
    "l1_2_completion": "Level 1-2 completion (Foundation and Intermediate)",
    "study_support": "Study support",
    "consolidation": "Monthly consolidation sessions",
    "informed": "Informed Practitioner",
    "senior_link_training": "Senior Link training",
    "link_training": "Link training",
    "deep_dive": "Deep Dive",
    "child_practicum": "Child practicum",
    "lead_training": "Lead training",
    "lead_plus_training": "Lead Plus training",
    "package_type_1": "Type 1 microproject (Tracker only)",
    "package_type_2": "Type 2 microproject (Prevention)",
    "package_type_3": "Type 3 microproject (Early Intervention)",
    "package_type_4": "Type 4 microproject (Additional Needs)",
    "practicum": "Supervised practicum: a completed microproject with 1-3 cases",
    "lead_oversight": "A Lead Practitioner in the organisation for oversight",
    OVERSEER_REQUIREMENT: "A Lead Plus Practitioner to oversee the Type 1 practicum",
    "registered_setting": "Works in a registered school or service",
}


def _reqs(*pairs):
    return [{"code": c, "quantity": q} for c, q in pairs]


SEED_ROLES: list[dict] = [
    {
        "code": "informed",
        "title": "Informed Practitioner",
        "level": "entry",
        "package_type": None,
        "requirements": _reqs(("l1_2_completion", 1), ("study_support", 1), ("consolidation", 3)),
        "enables": ["assisted self-help support", "light-touch microproject work (with cases they hold)"],
    },
    {
        "code": "senior_link",
        "title": "Senior Link Practitioner",
        "level": "entry",
        "package_type": 1,
        "requirements": _reqs(("informed", 1), ("senior_link_training", 1), ("package_type_1", 1)),
        "enables": ["senior management role", "oversight of project development"],
    },
    {
        "code": "link",
        "title": "Link Practitioner (first applied role)",
        "level": "entry",
        "package_type": 2,
        "requirements": _reqs(("informed", 1), ("link_training", 1), ("package_type_2", 1), ("practicum", 1)),
        "enables": ["assisted self-help support", "light-touch microproject work (with cases they hold)"],
    },
    # DOMAIN "Rulings", Practitioner roles: Lead oversight is a certification requirement, and the
    # Type 1 practicum needs a Lead Plus overseer, so the Child pathway lists what a Type 1 use
    # waits for (the contract's `use_requires`).
    {
        "code": "child",
        "title": "Child Practitioner (CYP, optional specialist role)",
        "level": "advanced",
        "package_type": 1,
        "requirements": _reqs(
            ("l1_2_completion", 1),
            ("study_support", 1),
            ("deep_dive", 1),
            ("child_practicum", 1),
            ("package_type_1", 1),
            ("practicum", 1),
            ("lead_oversight", 1),
            *((code, 1) for code in contract.package_type(1).use_requires),
        ),
        "enables": [
            "structured child-focused development work",
            "use of Tracker to identify priorities",
            "school-based social and emotional support planning",
        ],
    },
    {
        "code": "lead",
        "title": "Lead Practitioner (delivery and learning leadership)",
        "level": "advanced",
        "package_type": 3,
        "requirements": _reqs(
            ("deep_dive", 1),
            ("lead_training", 1),
            ("package_type_3", 1),
            ("practicum", 1),
            ("registered_setting", 1),
        ),
        "enables": [
            "delivery of workshops",
            "facilitation of I Matter learning",
            "baseline and progress tracking",
            "support for organisational implementation",
        ],
    },
    {
        "code": "lead_plus",
        "title": "Lead Plus Practitioner (oversight of Lead, CYP and Link)",
        "level": "advanced",
        "package_type": 4,
        "requirements": _reqs(
            ("lead_training", 1), ("lead_plus_training", 1), ("package_type_4", 1), ("practicum", 1)
        ),
        "enables": [
            "delivery of workshops",
            "facilitation of I Matter learning",
            "support for organisational implementation",
            "oversight of Lead, Child (CYP) and Link practitioners",
        ],
    },
]


def _package(p: contract.PackageType) -> dict:
    """A price-book row from the contract's package table: its figures are the defaults an
    admin may change in a later version; `use_requires` and the derived figures follow the table."""
    return {
        "type": p.type,
        "title": p.title,
        "purpose": p.purpose,
        "online_accounts": p.online_accounts,
        "tracker_uses_per_case": p.tracker_uses_per_case,
        "tracker_uses": p.tracker_uses,
        "price": p.price,
        "price_per_person": p.price // contract.MAX_CASES,
        "contents": list(p.contents),
        "use_requires": list(p.use_requires),
        "excludes": list(contract.EXCLUDES),
        "placeholder": False,
    }


SEED_PACKAGE_TYPES: list[dict] = [_package(p) for p in contract.PACKAGE_TYPES.values()]

# Products sold on their own that are not courses (domain row 110: no price in code). The seeds
# publish no price for the I Matter Q registration consultation: PLACEHOLDER.
SEED_PRODUCTS: list[dict] = [
    {
        "code": "q_registration_consultation",
        "title": "I Matter Q registration consultation",
        "price": 3000,
        "placeholder": True,
        "placeholder_label": PLACEHOLDER_LABEL,
        "price_status": "placeholder",
    },
]

SEED_CATALOGUE: dict = {
    "courses": SEED_COURSES,
    "requirement_titles": SEED_REQUIREMENT_TITLES,
    "roles": SEED_ROLES,
    "package_types": SEED_PACKAGE_TYPES,
}
PLACEHOLDER_BOOK.update(copy.deepcopy(SEED_CATALOGUE))
PLACEHOLDER_BOOK["products"] = copy.deepcopy(SEED_PRODUCTS)
