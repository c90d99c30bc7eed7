"""The Lead Professional licence kinds as data (decision 0055): what `unmet` reads from a person's
facts, per kind, and that a requirement code the logic does not know refuses rather than grants."""

from training.rules import lp_licence_kinds as kinds

NOTHING = {
    "completed": set(),
    "lp_state": None,
    "backing": False,
    "member": False,
    "org_licences": set(),
    "employment": None,
    "area": None,
}


def _unmet(code, **facts):
    return kinds.unmet(kinds.KINDS_BY_CODE[code], {**NOTHING, **facts})


def test_level_3a_reads_the_route_place_backing_and_membership():
    assert _unmet("level_3a") == [
        "lead_professional_place",
        "senior_leadership_backing",
        "organisation_membership",
    ]
    assert _unmet("level_3a", lp_state="applied", backing=True, member=True) == ["lead_professional_place"]
    for state in ("trainee", "implementation", "approved"):
        assert _unmet("level_3a", lp_state=state, backing=True, member=True) == []


def test_level_5_needs_a_level_4_in_the_same_organisation_and_membership_there():
    approved = {"lp_state": "approved", "member": True}
    assert _unmet("level_5", **approved) == ["licence_in_organisation:level_4"]
    assert _unmet("level_5", **approved, org_licences={"level_3a"}) == ["licence_in_organisation:level_4"]
    assert _unmet("level_5", **approved, org_licences={"level_4"}) == []
    assert _unmet("level_5", lp_state="approved", org_licences={"level_4"}) == [
        "organisation_membership",
        "licence_in_organisation:level_4",
    ]
    assert _unmet("level_4", lp_state="trainee", member=True) == ["approved_lead_professional"]


def test_a_and_b_read_completions_and_the_attested_employment():
    done = set(kinds.CORE_COURSES) | {"study_supporter_preparation"}
    assert _unmet("a_licence", completed=done, employment="salaried") == []
    assert _unmet("a_licence", completed=done - {"foundation_b"}, employment="team_employed") == [
        "completed:foundation_b",
        "employment:salaried",
    ]
    assert _unmet("b_licence", employment="salaried") == ["employment:team"]
    assert _unmet("b_licence", employment="team_freelance") == []
    assert _unmet("b_licence", employment="team_employed") == []


def test_a_specialist_licence_needs_a_known_area():
    ready = {"completed": set(kinds.CORE_COURSES), "member": True}
    assert _unmet("specialist", **ready) == ["area"]
    assert _unmet("specialist", **ready, area="adults") == ["area"]
    assert _unmet("specialist", **ready, area=kinds.CYP) == []


def test_an_unknown_requirement_code_is_never_met():
    odd = {**kinds.KINDS_BY_CODE["b_licence"], "requires": ["employment:team", "typo_requirement"]}
    assert kinds.unmet(odd, {**NOTHING, "employment": "team_employed"}) == ["typo_requirement"]


def test_scopes_level_3a_gives_everyday_parenting_only():
    assert kinds.covers("level_3a", kinds.EVERYDAY) and not kinds.covers("level_3a", kinds.INCREASED)
    assert all(kinds.covers(k, kinds.INCREASED) for k in ("level_4", "level_5", "b_licence"))
    assert kinds.GROUP_KINDS == ("level_3a", "level_4", "level_5")


def test_group_audiences_are_data_children_and_young_people_need_level_4_or_5_and_a_specialist():
    assert kinds.GROUP_AUDIENCE_AREAS == {
        "professionals": "adults",
        "parents": "adults",
        kinds.CYP: kinds.CYP,
    }
    assert kinds.audience_kinds(kinds.CYP) == ["level_4", "level_5"]
    assert kinds.audience_kinds("parents") == ["level_3a", "level_4", "level_5"]
    unmet = kinds.group_audience_unmet
    assert unmet(["level_3a"], set(), "parents") == []
    assert unmet(["level_3a"], set(), kinds.CYP) == ["licence_audience", "specialist_licence"]
    assert unmet(["level_3a"], {kinds.CYP}, kinds.CYP) == ["licence_audience"]
    assert unmet(["level_3a", "level_4"], set(), kinds.CYP) == ["specialist_licence"]
    assert unmet(["level_5"], {kinds.CYP}, kinds.CYP) == []
    # adults need no specialist licence, whatever is held
    assert unmet(["level_4"], set(), "professionals") == []
