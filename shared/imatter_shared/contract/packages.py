"""The microproject package types: the one table training and cic-tracker both read
(DOMAIN.md "Microproject packages" and "Rulings" -> Practitioner roles; seed 000).

Two kinds of fact live in a row:
- structure, fixed here and enforced by code: whether the Tracker needs a set-up step, which
  certified role an ACCEPTED overseer must hold before any Tracker use, and what each case needs
  before the practicum completes;
- figures (title, purpose, online accounts, Tracker uses per case, price, contents): the DEFAULTS
  training's price book starts from. A training admin may change them in a new price-book version;
  training announces each version (`training.package_types.published`) and cic-tracker keeps the
  announced figures, so the price book in force, not this table, is what is sold and counted.

Every package type shares the rules below the table: 1-3 cases, and an active Enhanced Practice
Licence for the organisation to buy a package and to use the Tracker.
"""

from __future__ import annotations

from dataclasses import dataclass

# "Tool bundles for 1-3 cases" (seed 000): a practicum is run with 1-3 cases, and a package's
# Tracker uses are its per-case share times the most cases it can hold.
MIN_CASES, MAX_CASES = 1, 3

# A package is sold under, and used only while the organisation holds, an active Enhanced Practice
# Licence (DOMAIN "Organisational licences": it is required for "use of microproject packages").
# REQUIRED_LICENCE is the licence type; LICENCE_REQUIREMENT the code that names it in `requires`
# and in a refusal's `unmet`.
REQUIRED_LICENCE = "enhanced"
LICENCE_REQUIREMENT = f"{REQUIRED_LICENCE}_licence"

# Who oversees a practicum: a certified Lead Plus (DOMAIN: "Lead Plus ... oversight of Lead, Child
# and Link"). A type whose row names an overseer role is refused Tracker use until an overseer of
# that role has accepted; the rule is enforced at use, in cic-tracker, not at sale.
OVERSEER_ROLE = "lead_plus"

# The Lead Practitioner roles: a certified Lead or Lead Plus who is an active member of an
# organisation oversees its practitioners (DOMAIN "Rulings" -> Practitioner roles): cic-tracker
# lets one sign a practicum off, training counts one as `lead_oversight`. Junior to senior.
LEAD_ROLES = ("lead", "lead_plus")

# What a case can show towards completion (counts kept on the case, surviving erasure).
CASE_BASELINE, CASE_FOLLOW_UP, CASE_REFLECTION = "baseline", "follow_up", "case_reflection"

# Services a package never includes (seed 000), whatever its type.
EXCLUDES = ("practitioner time", "delivery", "supervision", "ongoing support")


@dataclass(frozen=True)
class PackageType:
    type: int
    title: str
    purpose: str
    online_accounts: int
    tracker_uses_per_case: int
    price: int  # pence, for all the cases of one package
    contents: tuple[str, ...]
    needs_setup: bool  # a Tracker set-up step before the first use
    overseer_role: str | None  # certified role an ACCEPTED overseer must hold before any use
    case_completion: tuple[str, ...]  # what each case needs before the practicum completes

    @property
    def tracker_uses(self) -> int:
        return self.tracker_uses_per_case * MAX_CASES

    @property
    def use_requires(self) -> tuple[str, ...]:
        """The requirement codes a use of this type waits for (shown by training's catalogue)."""
        return (oversight_requirement(self.overseer_role),) if self.overseer_role else ()


def oversight_requirement(role: str) -> str:
    """The code of "an accepted overseer holding `role`" (`lead_plus_oversight`)."""
    return f"{role}_oversight"


# DOMAIN "Rulings" -> Practitioner roles: "A practicum completes, per type: Type 1 a baseline for
# each case; Type 2 a reflection for each case; Types 3 and 4 a baseline and a follow-up for each
# case; always 1-3 cases and a final reflection." Type 1 "use requires Lead Plus oversight".
PACKAGE_TYPES: dict[int, PackageType] = {
    p.type: p
    for p in (
        PackageType(
            1,
            "Tracker only",
            "Screening and priority planning only: direct roles with children and young people.",
            online_accounts=0,
            tracker_uses_per_case=1,
            price=15000,
            contents=(
                "3 Tracker uses (one per case)",
                "Requires Tracker set-up",
                "Use requires Lead Plus oversight",
            ),
            needs_setup=True,
            overseer_role=OVERSEER_ROLE,
            case_completion=(CASE_BASELINE,),
        ),
        PackageType(
            2,
            "Prevention",
            "Low concern, development and preparation work.",
            online_accounts=3,
            tracker_uses_per_case=0,
            price=30000,
            contents=("3 online L1-2 accounts", "Light or no Tracker use"),
            needs_setup=False,
            overseer_role=None,
            case_completion=(CASE_REFLECTION,),
        ),
        PackageType(
            3,
            "Early Intervention",
            "Emerging concern, priorities identified.",
            online_accounts=3,
            tracker_uses_per_case=2,
            price=45000,
            contents=("3 online L1-2 accounts", "2 Tracker uses per person"),
            needs_setup=False,
            overseer_role=None,
            case_completion=(CASE_BASELINE, CASE_FOLLOW_UP),
        ),
        PackageType(
            4,
            "Additional Needs",
            "Multi-context, school-home complexity.",
            online_accounts=3,
            tracker_uses_per_case=3,
            price=60000,
            contents=("3 online L1-2 accounts", "3 Tracker uses per person"),
            needs_setup=False,
            overseer_role=None,
            case_completion=(CASE_BASELINE, CASE_FOLLOW_UP),
        ),
    )
}
TYPE_MIN, TYPE_MAX = min(PACKAGE_TYPES), max(PACKAGE_TYPES)


def package_type(type_: int) -> PackageType:
    """The row of a package type (KeyError for a type that does not exist)."""
    return PACKAGE_TYPES[type_]


def cases_allowed(cases: int) -> bool:
    """A practicum counts only when run with 1-3 cases."""
    return MIN_CASES <= cases <= MAX_CASES


def default_uses_per_case(tracker_uses: int) -> int:
    """The per-case share when none was named: a package's Tracker uses over its 3 cases."""
    return tracker_uses // MAX_CASES
