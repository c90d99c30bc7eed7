"""What every microproject package type shares, as reference data (public): a client says how many
cases a package is for without a copy of the contract's 1-3."""

from imatter_shared.contract import packages


def test_the_cases_a_package_is_for_come_from_the_contract(client):
    r = client.get("/api/v1/catalogue/package-rules")
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"min_cases": packages.MIN_CASES, "max_cases": packages.MAX_CASES}
    assert (packages.MIN_CASES, packages.MAX_CASES) == (1, 3)
