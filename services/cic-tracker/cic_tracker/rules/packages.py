"""What each microproject package type allows in the Tracker (DOMAIN.md, "Microproject packages").

One row of BEHAVIOUR per type (set-up, overseer role), read by the rules below. The figures of
a type (online accounts, Tracker uses, the per-case share, the price) are training's catalogue
data: cic-tracker learns them by `training.package_types.published` and reads them with
`services.package_types.package_type(type)`; the credits of a package come from
`training.package.purchased`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PackageRule:
    type: int
    title: str
    needs_setup: bool          # a Tracker set-up step before the first use
    overseer_role: str | None  # certified role the overseer must hold before any use


PACKAGE_RULES: dict[int, PackageRule] = {
    1: PackageRule(1, "Tracker only", needs_setup=True, overseer_role="lead_plus"),
    2: PackageRule(2, "Prevention", needs_setup=False, overseer_role=None),
    3: PackageRule(3, "Early Intervention", needs_setup=False, overseer_role=None),
    4: PackageRule(4, "Additional Needs", needs_setup=False, overseer_role=None),
}


def rule_for(package_type: int) -> PackageRule:
    return PACKAGE_RULES[package_type]
