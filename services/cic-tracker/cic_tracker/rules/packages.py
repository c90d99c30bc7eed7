"""What each microproject package type means in the Tracker (DOMAIN.md, "Microproject packages",
and "Rulings" -> Practitioner roles): BEHAVIOUR only, as data.

One row of BEHAVIOUR per type (set-up, overseer role, what each case needs to complete). The figures of
a type (online accounts, Tracker uses, the per-case share, the price) are training's catalogue
data: cic-tracker learns them by `training.package_types.published` and reads them with
`services.package_types.package_type(type)`; the credits of a package come from
`training.package.purchased`.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a case can show towards completion (counts kept on the case, surviving erasure).
CASE_BASELINE, CASE_FOLLOW_UP, CASE_REFLECTION = "baseline", "follow_up", "case_reflection"


@dataclass(frozen=True)
class PackageRule:
    type: int
    title: str
    needs_setup: bool  # a Tracker set-up step before the first use
    overseer_role: str | None  # certified role an ACCEPTED overseer must hold before any use
    case_completion: tuple[str, ...]  # what each case needs before the practicum completes


# DOMAIN "Rulings" -> Practitioner roles: "A practicum completes, per type: Type 1 a baseline for
# each case; Type 2 a reflection for each case; Types 3 and 4 a baseline and a follow-up for each
# case; always 1-3 cases and a final reflection." Type 1 "use requires Lead Plus oversight".
PACKAGE_RULES: dict[int, PackageRule] = {
    1: PackageRule(
        1, "Tracker only", needs_setup=True, overseer_role="lead_plus", case_completion=(CASE_BASELINE,)
    ),
    2: PackageRule(
        2, "Prevention", needs_setup=False, overseer_role=None, case_completion=(CASE_REFLECTION,)
    ),
    3: PackageRule(
        3,
        "Early Intervention",
        needs_setup=False,
        overseer_role=None,
        case_completion=(CASE_BASELINE, CASE_FOLLOW_UP),
    ),
    4: PackageRule(
        4,
        "Additional Needs",
        needs_setup=False,
        overseer_role=None,
        case_completion=(CASE_BASELINE, CASE_FOLLOW_UP),
    ),
}

# The role every overseer holds (DOMAIN: "Lead Plus ... oversight of Lead, Child and Link").
OVERSEER_ROLE = "lead_plus"
# Who, besides the accepted overseer, may sign a practicum off: a certified Lead or Lead Plus who
# is an active member of the microproject's organisation (Rulings -> Practitioner roles).
SIGN_OFF_ROLES = ("lead", "lead_plus")


def rule_for(package_type: int) -> PackageRule:
    return PACKAGE_RULES[package_type]


def default_uses_per_case(tracker_uses: int, max_cases: int = 3) -> int:
    """The per-case share when training did not name one: "2 Tracker uses pp" over 1-3 cases."""
    return tracker_uses // max_cases
