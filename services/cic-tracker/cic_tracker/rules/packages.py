"""What each microproject package type means in the Tracker (DOMAIN.md, "Microproject packages",
and "Rulings" -> Practitioner roles): BEHAVIOUR only, as data.

Quantities and prices are I Matter Training's catalogue data: the Tracker credits of a
microproject come from its `training.package.purchased` event, the per-case share from the
package type training publishes (until then: the package's uses / 3 cases), and a fund award's
amount from the package price at award time (`services.fund.package_price`, one function).
What stays here is how a type behaves: whether it needs a Tracker set-up, which certified role
its overseer must hold before any use, and what each case needs before the practicum completes.
"""
from __future__ import annotations

from dataclasses import dataclass

# What a case can show towards completion (counts kept on the case, surviving erasure).
CASE_BASELINE, CASE_FOLLOW_UP, CASE_REFLECTION = "baseline", "follow_up", "case_reflection"


@dataclass(frozen=True)
class PackageRule:
    type: int
    title: str
    needs_setup: bool           # a Tracker set-up step before the first use
    overseer_role: str | None   # certified role an ACCEPTED overseer must hold before any use
    case_completion: tuple[str, ...]  # what each case needs before the practicum completes
    max_tracker_uses: int       # sanity bound on a package event (uses per case x 3 cases; L13)
    max_online_accounts: int


# DOMAIN "Rulings" -> Practitioner roles: "A practicum completes, per type: Type 1 a baseline for
# each case; Type 2 a reflection for each case; Types 3 and 4 a baseline and a follow-up for each
# case; always 1-3 cases and a final reflection." Type 1 "use requires Lead Plus oversight".
PACKAGE_RULES: dict[int, PackageRule] = {
    1: PackageRule(1, "Tracker only", needs_setup=True, overseer_role="lead_plus",
                   case_completion=(CASE_BASELINE,), max_tracker_uses=3, max_online_accounts=0),
    2: PackageRule(2, "Prevention", needs_setup=False, overseer_role=None,
                   case_completion=(CASE_REFLECTION,), max_tracker_uses=0, max_online_accounts=3),
    3: PackageRule(3, "Early Intervention", needs_setup=False, overseer_role=None,
                   case_completion=(CASE_BASELINE, CASE_FOLLOW_UP), max_tracker_uses=6, max_online_accounts=3),
    4: PackageRule(4, "Additional Needs", needs_setup=False, overseer_role=None,
                   case_completion=(CASE_BASELINE, CASE_FOLLOW_UP), max_tracker_uses=9, max_online_accounts=3),
}

# The role every overseer holds (DOMAIN: "Lead Plus ... oversight of Lead, Child and Link").
OVERSEER_ROLE = "lead_plus"
# Who, besides the accepted overseer, may sign a practicum off: a certified Lead or Lead Plus who
# is an active member of the microproject's organisation (Rulings -> Practitioner roles).
SIGN_OFF_ROLES = ("lead", "lead_plus")

# Interim price table (pence) for fund award amounts, read ONLY through
# services.fund.package_price(); the catalogue's `training.package_types.published` handler
# replaces it with the prices training publishes (issue 16: no copy of the catalogue in code).
PACKAGE_PRICES: dict[int, int] = {1: 15000, 2: 30000, 3: 45000, 4: 60000}


def rule_for(package_type: int) -> PackageRule:
    return PACKAGE_RULES[package_type]


def default_uses_per_case(tracker_uses: int, max_cases: int = 3) -> int:
    """The per-case share when training did not name one: "2 Tracker uses pp" over 1-3 cases."""
    return tracker_uses // max_cases
