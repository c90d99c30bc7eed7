"""What each microproject package type allows in the Tracker (DOMAIN.md, "Microproject packages").

One declarative row per type, read by the rules below; the Tracker credits themselves come
from the `training.package.purchased` event (training's catalogue owns the quantities).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PackageRule:
    type: int
    title: str
    needs_setup: bool          # a Tracker set-up step before the first use
    overseer_role: str | None  # certified role the overseer must hold before any use
    max_tracker_uses: int      # what a package of this type can carry (uses per case x 3 cases)
    max_online_accounts: int


# DOMAIN "Rulings": Type 1 one use per case, Type 3 two, Type 4 three, Type 2 none; 3 cases.
PACKAGE_RULES: dict[int, PackageRule] = {
    1: PackageRule(1, "Tracker only", needs_setup=True, overseer_role="lead_plus", max_tracker_uses=3,
                   max_online_accounts=0),
    2: PackageRule(2, "Prevention", needs_setup=False, overseer_role=None, max_tracker_uses=0,
                   max_online_accounts=3),
    3: PackageRule(3, "Early Intervention", needs_setup=False, overseer_role=None, max_tracker_uses=6,
                   max_online_accounts=3),
    4: PackageRule(4, "Additional Needs", needs_setup=False, overseer_role=None, max_tracker_uses=9,
                   max_online_accounts=3),
}

# Package prices in pence, mirroring training's catalogue (DOMAIN.md). A fund award pays for
# exactly one package, so its amount is the package price.
PACKAGE_PRICES: dict[int, int] = {1: 15000, 2: 30000, 3: 45000, 4: 60000}


def rule_for(package_type: int) -> PackageRule:
    return PACKAGE_RULES[package_type]
