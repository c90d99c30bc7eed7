"""The package-type table both services read: one row per type, the shared rules beside it."""

from imatter_shared.contract import packages as contract


def test_four_types_with_their_structure():
    assert sorted(contract.PACKAGE_TYPES) == [1, 2, 3, 4]
    assert (contract.TYPE_MIN, contract.TYPE_MAX) == (1, 4)
    t1 = contract.package_type(1)
    assert t1.needs_setup and t1.overseer_role == contract.OVERSEER_ROLE == "lead_plus"
    assert t1.use_requires == ("lead_plus_oversight",)
    assert all(not contract.package_type(t).overseer_role for t in (2, 3, 4))
    assert [contract.package_type(t).tracker_uses for t in (1, 2, 3, 4)] == [3, 0, 6, 9]


def test_one_to_three_cases_and_the_enhanced_licence():
    assert [contract.cases_allowed(n) for n in (0, 1, 3, 4)] == [False, True, True, False]
    assert contract.LICENCE_REQUIREMENT == "enhanced_licence"
    assert [contract.default_uses_per_case(n) for n in (0, 3, 6, 9)] == [0, 1, 2, 3]
