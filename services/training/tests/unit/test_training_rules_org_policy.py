"""The organisation-kind policy table (seed 002)."""

import pytest

from training.rules import policy


@pytest.mark.parametrize(
    "kind,action",
    [
        ("primary_care", "cpd_licence"),
        ("primary_care", "online_accounts"),
        ("primary_care", "bursary"),
        ("primary_care", "learning_data"),
        ("community_service", "online_accounts"),
        ("community_service", "tracker_accounts"),
        ("community_service", "cpd_licence"),
        ("community_service", "microproject_packages"),
        ("commissioner", "case_management"),
        ("school", "case_management"),
        ("locality_hub", "case_management"),
        ("locality_hub", "open_ended_support"),
    ],
)
def test_what_each_kind_may_not_hold(kind, action):
    assert not policy.allowed(kind, action)
    assert policy.refusal(kind, action)


@pytest.mark.parametrize(
    "kind,action",
    [
        ("commissioner", "bursary_funding"),
        ("commissioner", "paid_learning"),
        ("school", "online_accounts"),
        ("school", "learning_pathways"),
        ("school", "microproject_packages"),
        ("locality_hub", "tracker_accounts"),
        ("community_service", "paid_learning"),
        ("community_service", "applied_practice"),
        ("primary_care", "paid_learning"),
        ("primary_care", "learning_pathways"),
        ("primary_care", "applied_practice"),
        ("primary_care", "microproject_packages"),
        ("primary_care", "tracker_accounts"),
    ],
)
def test_what_each_kind_may_do(kind, action):
    assert policy.allowed(kind, action)


def test_other_services_have_no_kind_specific_limits():
    assert all(policy.allowed("other_service", a) for a in policy.ACTIONS)


def test_every_kind_has_a_row_and_every_rule_a_known_action():
    assert set(policy.FORBIDDEN) == set(policy.KINDS) == set(policy.HOLDS)
    for rules in policy.FORBIDDEN.values():
        assert set(rules) <= set(policy.ACTIONS)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        policy.refusal("school", "teleport")


def test_the_row_is_data_for_the_api():
    row = policy.policy_for("community_service")
    assert {f["action"] for f in row["forbidden"]} == {
        "cpd_licence",
        "online_accounts",
        "tracker_accounts",
        "microproject_packages",
    }
