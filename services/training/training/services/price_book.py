"""The price book: versioned, edited by training admins, read by every purchase.

The seeds publish no size bands or licence fees, so the first version is a clearly labelled
PLACEHOLDER. Until an admin edits it (or the seeder stores it) the placeholder is served as
version 1 without being written, so reads never write."""

from __future__ import annotations

import copy

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context, request

from ..events import outgoing
from ..extensions import db
from ..models import PriceBookVersion
from ..rules import licensing, pricing
from ._util import iso

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

# ---- the catalogue (issue 16: data I Matter Training changes without a release) ---------------
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
    "lead_plus_oversight": "A Lead Plus Practitioner to oversee the Type 1 practicum",
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
    # Type 1 practicum needs a Lead Plus overseer, so the Child pathway lists lead_plus_oversight.
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
            ("lead_plus_oversight", 1),
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

_NO_SERVICES = ["practitioner time", "delivery", "supervision", "ongoing support"]
CASES_PER_PACKAGE = 3  # "tool bundles for 1-3 cases" (seed 000); Tracker uses are per person


def _package(type_, title, purpose, accounts, per_case, price, contents, use_requires=()):
    return {
        "type": type_,
        "title": title,
        "purpose": purpose,
        "online_accounts": accounts,
        "tracker_uses_per_case": per_case,
        "tracker_uses": per_case * CASES_PER_PACKAGE,
        "price": price,
        "price_per_person": price // CASES_PER_PACKAGE,
        "contents": list(contents),
        "use_requires": list(use_requires),
        "excludes": list(_NO_SERVICES),
        "placeholder": False,
    }


SEED_PACKAGE_TYPES: list[dict] = [
    _package(
        1,
        "Tracker only",
        "Screening and priority planning only: direct roles with children and young people.",
        0,
        1,
        15000,
        ["3 Tracker uses (one per case)", "Requires Tracker set-up", "Use requires Lead Plus oversight"],
        use_requires=["lead_plus_oversight"],
    ),
    _package(
        2,
        "Prevention",
        "Low concern, development and preparation work.",
        3,
        0,
        30000,
        ["3 online L1-2 accounts", "Light or no Tracker use"],
    ),
    _package(
        3,
        "Early Intervention",
        "Emerging concern, priorities identified.",
        3,
        2,
        45000,
        ["3 online L1-2 accounts", "2 Tracker uses per person"],
    ),
    _package(
        4,
        "Additional Needs",
        "Multi-context, school-home complexity.",
        3,
        3,
        60000,
        ["3 online L1-2 accounts", "3 Tracker uses per person"],
    ),
]

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
PRODUCT_CODES = tuple(p["code"] for p in SEED_PRODUCTS)

CATALOGUE_KEYS = ("courses", "requirement_titles", "roles", "package_types")
SEED_CATALOGUE: dict = {
    "courses": SEED_COURSES,
    "requirement_titles": SEED_REQUIREMENT_TITLES,
    "roles": SEED_ROLES,
    "package_types": SEED_PACKAGE_TYPES,
}
PLACEHOLDER_BOOK.update(copy.deepcopy(SEED_CATALOGUE))
PLACEHOLDER_BOOK["products"] = copy.deepcopy(SEED_PRODUCTS)


def _latest() -> PriceBookVersion | None:
    return db.session.scalar(sa.select(PriceBookVersion).order_by(PriceBookVersion.version.desc()).limit(1))


def with_catalogue(data: dict) -> dict:
    """A version stored before the catalogue moved into the price book (issue 16) reads the seed
    catalogue for the tables it does not hold."""
    for key in CATALOGUE_KEYS:
        if key not in data:
            data[key] = copy.deepcopy(SEED_CATALOGUE[key])
    # products added later (row 110): a version without them reads the seed's (placeholder) rows
    have = {p["code"] for p in data.get("products", [])}
    data["products"] = list(data.get("products", [])) + [
        copy.deepcopy(p) for p in SEED_PRODUCTS if p["code"] not in have
    ]
    return data


def product(code: str) -> tuple[int, dict]:
    """(price-book version, row) of a product in the price book in force, read at order time."""
    number, data = _current_shared()
    row = next(p for p in with_catalogue(dict(data))["products"] if p["code"] == code)
    return number, copy.deepcopy(row)


_REQUEST_KEY = "imatter.price_book"


def _current_shared() -> tuple[int, dict]:
    """(version, data) in force now, shared within the app context: do not mutate. One small
    query per request (the latest version's id: the catalogue tables are read many times while
    answering one request); versions are immutable, so the parsed data is kept per app context
    and keyed by that id. `publish` forgets the request's answer."""
    scope = request.environ if has_request_context() else None
    if scope is not None and _REQUEST_KEY in scope:
        return scope[_REQUEST_KEY]
    row = db.session.execute(
        sa.select(PriceBookVersion.id, PriceBookVersion.version)
        .order_by(PriceBookVersion.version.desc())
        .limit(1)
    ).first()
    if row is None:
        result = (1, PLACEHOLDER_BOOK)
    elif (cached := g.get("_price_book")) is not None and cached[0] == row.id:
        result = (cached[1], cached[2])
    else:
        data = with_catalogue(copy.deepcopy(db.session.get(PriceBookVersion, row.id).data))
        g._price_book = (row.id, row.version, data)
        result = (row.version, data)
    if scope is not None:
        scope[_REQUEST_KEY] = result
    return result


def _forget_request_book() -> None:
    if has_request_context():
        request.environ.pop(_REQUEST_KEY, None)


def current() -> tuple[int, dict]:
    """(version number, data) of the price book in force now."""
    number, data = _current_shared()
    return number, copy.deepcopy(data)


def catalogue() -> tuple[int, dict]:
    """(version, data) for reading the catalogue tables without a copy (rules/catalogue.py).
    Outside an application context (pure unit tests) the seed catalogue is read."""
    if not has_app_context():
        return 1, PLACEHOLDER_BOOK
    return _current_shared()


def current_version_number() -> int:
    return current()[0]


def version(number: int) -> dict | None:
    if not 1 <= number <= 2**31 - 1:  # beyond the column's range: no such version (not a database error)
        return None
    if number == 1 and _latest() is None:
        return copy.deepcopy(PLACEHOLDER_BOOK)
    row = db.session.scalar(sa.select(PriceBookVersion).where(PriceBookVersion.version == number))
    return with_catalogue(copy.deepcopy(row.data)) if row else None


def announce(number: int, data: dict) -> None:
    """`training.package_types.published`: cic-tracker keeps the package types of the version in
    force (Tracker uses, per-case share, prices) and no copy of its own."""
    outgoing.package_types_published(number, package_types_event(data))


def package_types_event(data: dict) -> list[dict]:
    keep = (
        "type",
        "title",
        "online_accounts",
        "tracker_uses",
        "tracker_uses_per_case",
        "price",
        "placeholder",
    )
    return [
        {k: bool(p.get(k, False)) if k == "placeholder" else p[k] for k in keep}
        for p in sorted(data["package_types"], key=lambda p: p["type"])
    ]


def ensure_stored() -> bool:
    """Store the placeholder as version 1 when no version exists (seeder, first edit), and add a
    version carrying the catalogue when the latest one predates it."""
    row = _latest()
    if row is None:
        db.session.add(PriceBookVersion(version=1, data=copy.deepcopy(PLACEHOLDER_BOOK), created_by=None))
        db.session.flush()
        _forget_request_book()
        announce(1, PLACEHOLDER_BOOK)
        return True
    elif any(key not in row.data for key in CATALOGUE_KEYS):
        number, data = row.version + 1, with_catalogue(copy.deepcopy(row.data))
        db.session.add(PriceBookVersion(version=number, data=data, created_by=None))
        db.session.flush()
        _forget_request_book()
        announce(number, data)
        return True
    return False


def load_catalogue() -> int:
    """`flask seed` / `flask catalogue publish`: make sure the catalogue is stored and announce the
    package types of the version in force (cic-tracker applies it idempotently)."""
    stored = ensure_stored()
    number, data = _current_shared()
    if not stored:
        announce(number, data)
    return number


def normalise(data: dict) -> dict:
    """Derived figures and labels stay honest whatever an editor sends."""
    for p in data.get("package_types", []):
        p["tracker_uses"] = p["tracker_uses_per_case"] * CASES_PER_PACKAGE
        p.setdefault("price_per_person", p["price"] // CASES_PER_PACKAGE)
        p["price_per_person"] = p["price"] // CASES_PER_PACKAGE
        for key in ("contents", "use_requires", "excludes"):
            p.setdefault(key, [])
        p.setdefault("purpose", "")
    for p in data.get("products", []):
        p["price_status"] = "placeholder" if p.get("placeholder") else "published"
    for rows in (
        data.get("courses", []),
        data.get("package_types", []),
        data.get("seat_bundle_tiers", []),
        data.get("products", []),
    ):
        for row in rows:
            row["placeholder"] = bool(row.get("placeholder", False))
            label_key = "label" if rows is data.get("seat_bundle_tiers") else "placeholder_label"
            if row["placeholder"]:
                row.setdefault(label_key, PLACEHOLDER_LABEL)
                row[label_key] = row[label_key] or PLACEHOLDER_LABEL
            else:
                row.pop(label_key, None)
    for c in data.get("courses", []):
        c["price_status"] = "placeholder" if c["placeholder"] else "published"
    data["package_types"] = sorted(data.get("package_types", []), key=lambda p: p["type"])
    return data


def any_placeholder(data: dict) -> bool:
    return any(
        r.get("placeholder")
        for key in ("size_bands", "seat_bundle_tiers", "courses", "package_types", "products")
        for r in data.get(key, [])
    )


def publish(data: dict, user_id: str) -> tuple[int, dict]:
    """Every edit is a new version; older versions stay as they were (orders point at them).
    Raises pricing.PriceBookError when the book does not hold together."""
    data = with_catalogue(copy.deepcopy(data))
    data.setdefault("currency", "GBP")
    data["seat_bundle_tiers"] = sorted(data["seat_bundle_tiers"], key=lambda t: t["from_seat"])
    pricing.validate_price_book(data)
    normalise(data)
    # labels stay honest: the book is a placeholder while any of its prices is
    data["placeholder"] = bool(data.get("placeholder", False) or any_placeholder(data))
    if data["placeholder"]:
        data.setdefault("notice", PLACEHOLDER_NOTICE)
    else:
        data.pop("notice", None)
    ensure_stored()
    number = _latest().version + 1
    db.session.add(PriceBookVersion(version=number, data=data, created_by=user_id))
    db.session.flush()
    _forget_request_book()
    announce(number, data)
    return number, data


def _version_cached(number: int | None) -> dict | None:
    """A stored version read once per app context (versions never change once written)."""
    if number is None:
        return None
    if has_app_context():
        current_number, data = _current_shared()  # read once per request already
        if number == current_number:
            return data
    cache = g.setdefault("_price_book_versions", {}) if has_app_context() else {}
    if cache.get(number) is None:
        cache[number] = version(number)
    return cache[number]


def band_mark(number: int | None, band_code: str | None) -> dict:
    """{placeholder, placeholder_label?} of the size band a licence fee came from, in the price-book
    version it was priced from (domain row 111: a placeholder fee says so wherever it is shown)."""
    data = _version_cached(number)
    band = pricing.band_of(data, band_code) if data and band_code else None
    placeholder = bool(band.get("placeholder")) if band else bool(data and data.get("placeholder"))
    if not placeholder:
        return {"placeholder": False}
    return {
        "placeholder": True,
        "placeholder_label": (band or {}).get("placeholder_label") or PLACEHOLDER_LABEL,
    }


def book_json(number: int, data: dict) -> dict:
    row = db.session.scalar(sa.select(PriceBookVersion).where(PriceBookVersion.version == number))
    out = {"version": number, **data}
    out["licences"] = [licensing.public_terms(t) for t in licensing.TYPES]
    out["created_at"] = iso(row.created_at) if row else None
    return out


def size_band_codes() -> list[str]:
    return [b["code"] for b in current()[1]["size_bands"]]
