"""Organisational licences (DOMAIN.md "Organisational licences", seed 000): what each one
includes and excludes (data), what it depends on, its term and its status from dates.
Pure functions: no Flask, no database."""

from __future__ import annotations

from datetime import datetime

TYPES = ("starter", "cpd", "enhanced")

# The three licences as data (seed 000 wording). The catalogue and every licence show it.
# Seed 000: the Starter Licence "includes: organisational agreement to participate". The text the
# organisation agrees to when it takes out the Starter (shown before it buys; who accepted it and
# when is kept on the licence). Fixed text of I Matter Training's licensing terms.
STARTER_AGREEMENT = (
    "Organisational agreement to participate. By taking out the Starter Licence, the organisation "
    "agrees to take part in the I Matter programme: to name a link contact who keeps in touch with "
    "I Matter Training; to have the commitment of its senior leadership to the programme; to use "
    "the I Matter Framework, its language and materials within the organisation only, under its "
    "licences; to seek the explicit consent of I Matter Training before transferring learning "
    "credits or accounts outside the organisation; and to take part in the reviews of the programme "
    "that its licences provide for."
)

LICENCES: dict[str, dict] = {
    "starter": {
        "type": "starter",
        "title": "Starter Licence (Organisational Engagement)",
        "phase": 1,
        "term_months": 12,
        "fee_field": "starter_fee",
        "requires": ["senior_leadership_commitment", "link_contact"],
        "includes": [
            "organisational agreement to participate",
            "named link contact",
            "eligibility for CPD and bursary routes",
            "access to implementation pathway overview",
        ],
        "excludes": ["training: this is system entry and governance alignment, not training"],
        "required_for": ["CPD Licence", "Enhanced Practice Licence", "bursary routes"],
    },
    "cpd": {
        "type": "cpd",
        "title": "CPD Licence (Professional Learning)",
        "phase": 2,
        "term_months": 12,
        "fee_field": "cpd_fee",
        "requires": ["starter_licence"],
        "includes": [
            "Level 1-2 online learning accounts (credits by size band)",
            "shared language development",
            "foundational relationship health understanding",
            "extra L1-2 accounts in bundles at a reduced marginal rate",
        ],
        "excludes": [
            "a practitioner qualification: Level 1-2 is not a practitioner qualification",
            "transfer of credits or accounts outside the organisation without explicit consent (a top-up fee may apply)",
        ],
        "required_for": ["online L1-2 accounts from organisational credits"],
    },
    "enhanced": {
        "type": "enhanced",
        "title": "Enhanced Practice Licence (Organisational Practice Permission)",
        "phase": 3,
        "term_months": 12,
        "fee_field": "enhanced_fee",
        "requires": ["starter_licence", "practitioner_in_training"],
        "includes": [
            "organisational permission to run I Matter applied practice activity",
            "governance framework for safe use of tools and pathways",
            "confirmation that trained practitioners (Link / Child / Lead) are in place or in development",
            "access to the I Matter planning and tracking system",
        ],
        "excludes": [
            "practitioner training",
            "practitioner delivery time",
            "microproject packages",
            "supervision or support time",
            "unlimited case activity",
        ],
        "required_for": [
            "use of microproject packages",
            "applied work with families, children and young people",
            "use of Tracker in practice settings",
        ],
    },
}

# How each licence is introduced to an organisation (the portal's licence pages): a short name, the
# phase it opens and a summary of seed 000's description. What it includes and excludes is the list
# above, in the seed's words.
INTRODUCTIONS: dict[str, dict] = {
    "starter": {
        "name": "Starter Licence",
        "subtitle": "Organisational engagement",
        "summary": "The entry point into the system: it establishes organisational readiness. "
        "Required before anything else.",
    },
    "cpd": {
        "name": "CPD Licence",
        "subtitle": "Professional learning (stages 2 and 3)",
        "summary": "Level 1–2 foundational learning that supports shared understanding across staff, with "
        "online account credits by size band and bundle pricing for extra accounts.",
    },
    "enhanced": {
        "name": "Enhanced Practice Licence",
        "subtitle": "Organisational practice permission (stages 4 and 5)",
        "summary": "Organisational permission for applied practice, granted while trained practitioners "
        "(Link, Child or Lead) are in place or in training. Required for microproject packages, "
        "applied work with families, children or young people, and Tracker use in practice settings.",
    },
}

# What the Enhanced licence counts as "trained practitioners in place or in training".
ENHANCED_PRACTITIONER_ROLES = ("link", "child", "lead", "lead_plus")


def public_terms(licence_type: str) -> dict:
    """The catalogue text of one licence type (without internal fields)."""
    d = LICENCES[licence_type]
    out = {
        k: d[k]
        for k in ("type", "title", "phase", "term_months", "requires", "includes", "excludes", "required_for")
    }
    out["agreement"] = agreement(licence_type)
    return out


def agreement(licence_type: str) -> str | None:
    """The agreement an organisation accepts when it takes out this licence (the Starter's
    "organisational agreement to participate"); None for the others."""
    return STARTER_AGREEMENT if licence_type == "starter" else None


def catalogue_terms(licence_type: str) -> dict:
    """All the catalogue says of one licence type: its public terms, how it is introduced, and
    `fee_key`, the size band's field in the price book that holds its annual fee."""
    return {
        **public_terms(licence_type),
        **INTRODUCTIONS[licence_type],
        "fee_key": LICENCES[licence_type]["fee_field"],
    }


def add_months(start: datetime, months: int) -> datetime:
    """Calendar months later; the 29th-31st fall back to the month's last day."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def term(licence_type: str, start: datetime) -> tuple[datetime, datetime]:
    return start, add_months(start, LICENCES[licence_type]["term_months"])


def renewal_start(now: datetime, valid_until: datetime) -> datetime:
    """A renewal runs on from the current end, or from now when it has already lapsed."""
    return max(now, valid_until)


def status(valid_from: datetime, valid_until: datetime, now: datetime, cancelled: bool = False) -> str:
    """active while now lies in [valid_from, valid_until); expired after. Never stored."""
    if cancelled:
        return "cancelled"
    return "active" if valid_from <= now < valid_until else "expired"


def requirement_code(licence_type: str) -> str:
    """The code that names a licence in another licence's `requires` (`starter_licence`)."""
    return f"{licence_type}_licence"


def needs(licence_type: str, code: str) -> bool:
    """Whether requirement `code` is among the licence's `requires`."""
    return code in LICENCES[licence_type]["requires"]


def dependants(licence_type: str) -> tuple[str, ...]:
    """The licence types that require this one (the Starter's: CPD and Enhanced)."""
    return tuple(t for t in TYPES if needs(t, requirement_code(licence_type)))


# Requirements that must go on holding after the purchase: when one lapses, an in-date licence
# is suspended (nothing is deleted; use resumes once it holds again). The Starter's own
# requirements (commitment, link contact) are checked when it is bought or renewed only.
CONTINUING_REQUIREMENTS = ("starter_licence", "practitioner_in_training")


def continuing(licence_type: str) -> tuple[str, ...]:
    """The licence's requirements that must go on holding while it is used (none for the Starter)."""
    return tuple(code for code in LICENCES[licence_type]["requires"] if code in CONTINUING_REQUIREMENTS)


def _facts(
    *,
    starter_active: bool,
    practitioners: int,
    senior_leadership_commitment: bool = True,
    has_link_contact: bool = True,
) -> dict[str, bool]:
    """Whether each requirement code of LICENCES[...]["requires"] holds."""
    return {
        "senior_leadership_commitment": senior_leadership_commitment,
        "link_contact": has_link_contact,
        "starter_licence": starter_active,
        "practitioner_in_training": practitioners >= 1,
    }


def purchase_unmet(
    licence_type: str,
    *,
    starter_active: bool,
    senior_leadership_commitment: bool,
    has_link_contact: bool,
    practitioners: int,
) -> list[str]:
    """Requirement codes that stop an organisation buying (or renewing) a licence: its
    `requires` that do not hold."""
    facts = _facts(
        starter_active=starter_active,
        practitioners=practitioners,
        senior_leadership_commitment=senior_leadership_commitment,
        has_link_contact=has_link_contact,
    )
    return [code for code in LICENCES[licence_type]["requires"] if not facts[code]]


def suspension_reasons(licence_type: str, *, starter_active: bool, practitioners: int) -> list[str]:
    """Why an in-date licence cannot be used right now (it is suspended, not deleted): its
    continuing requirements that no longer hold (CPD and Enhanced depend on the Starter)."""
    facts = _facts(starter_active=starter_active, practitioners=practitioners)
    return [code for code in continuing(licence_type) if not facts[code]]


UNMET_DETAIL = {
    "senior_leadership_commitment": "a Starter Licence needs senior leadership commitment",
    "link_contact": "a Starter Licence needs a named link contact",
    "starter_licence": "an active Starter Licence comes first (CPD and Enhanced depend on it)",
    "practitioner_in_training": "an Enhanced Practice Licence is granted only while a Link, Child or Lead "
    "practitioner is certified or in training in the organisation",
}


def describe_unmet(codes: list[str]) -> str:
    return "; ".join(UNMET_DETAIL.get(c, c) for c in codes)
