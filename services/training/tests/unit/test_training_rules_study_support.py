"""The study support rules as data (decision 0060): who may host, and the cap per series."""

from training.rules import study_support as rules


def test_the_cap_defaults_and_ceilings():
    assert rules.cap("max_sessions", None) == 6 and rules.cap("places_per_session", None) == 12
    assert rules.cap("max_sessions", 3) == 3
    assert not rules.over_ceiling("max_sessions", 12) and rules.over_ceiling("max_sessions", 13)
    assert not rules.over_ceiling("places_per_session", 30) and rules.over_ceiling("places_per_session", 31)
    assert not rules.over_ceiling("max_sessions", None)


def test_who_may_host():
    # a Lead Professional on the route, in house or in partnership
    assert rules.host_unmet(True, set(), True, "in_house") == []
    assert rules.host_unmet(True, set(), True, "partnership") == []
    # a certified Link practitioner: in house only
    assert rules.host_unmet(False, {"link"}, True, "in_house") == []
    assert rules.host_unmet(False, {"link"}, True, "partnership") == ["lead_professional"]
    # neither: no host role; not a member: the membership first
    assert rules.host_unmet(False, {"informed", "child"}, True, "in_house") == ["host_role"]
    assert rules.host_unmet(True, set(), False, "in_house") == ["organisation_membership"]
    # an accepted Parent Mentor (decision 0058): in house only, in an organisation they belong to
    assert rules.host_unmet(False, set(), True, "in_house", parent_mentor=True) == []
    assert rules.host_unmet(False, set(), True, "partnership", parent_mentor=True) == ["lead_professional"]
    assert rules.host_unmet(False, set(), False, "in_house", parent_mentor=True) == [
        "organisation_membership"
    ]
    assert rules.PARENT_MENTOR_DELIVERIES == ("in_house",)


def test_supporter_requirements_are_data():
    assert rules.SUPPORTER["min_references"] == 2
    assert rules.SUPPORTER["preparation_course"] == "study_supporter_preparation"
    assert rules.FOUNDATION_A_COURSES == ("foundation_a1", "foundation_a2")
