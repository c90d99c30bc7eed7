"""The Lead Professional route as reference data (public): a client shows the entry routes, asks
for enough references, names the states and offers the records a trainee keeps without holding
a copy of training's rules; what it reads is what the route's own checks use."""

from training.rules import trainee
from training.services.lead_professionals import STATES


def test_the_lead_professional_route_is_read_from_the_rules(client):
    r = client.get("/api/v1/catalogue/lead-professional-routes")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert [route["code"] for route in body["routes"]] == list(trainee.ENTRY_ROUTES)
    standard, fast_track = body["routes"]
    assert standard == {
        "code": "standard",
        "any_of": ["intermediate_a", "intermediate_b"],
        "unmet": "intermediate_completion",
    }
    assert fast_track["all_of"] == ["foundation_a1", "foundation_a2", "foundation_b"]
    assert body["min_references"] == trainee.MIN_REFERENCES == 2
    assert body["states"] == list(STATES) == ["applied", "declined", "trainee", "implementation", "approved"]
    recorded = [o["code"] for o in body["self_recorded"]]
    assert "action_plan_outline" not in recorded  # I Matter Training agrees and records it
    assert recorded == [
        "monthly_development",
        "participant_feedback",
        "log_book",
        "annual_plan",
        "foundation_a_courses",
        "linked_cpd",
    ]
    assert {o["code"]: o["target"] for o in body["self_recorded"]}["foundation_a_courses"] == 2
    assert body["group_courses"] == ["foundation_a1", "foundation_a2"]
    assert sorted(body["group_audiences"]) == ["children_and_young_people", "parents", "professionals"]
    # decision 0057: children and young people need Level 4 or 5 and the specialist licence
    rules = {a["code"]: a for a in body["group_audience_rules"]}
    assert set(rules) == set(body["group_audiences"])
    assert rules["parents"]["licence_kinds"] == ["level_3a", "level_4", "level_5"]
    assert rules["parents"]["specialist_area"] is None
    assert rules["children_and_young_people"]["licence_kinds"] == ["level_4", "level_5"]
    assert rules["children_and_young_people"]["specialist_area"] == "children_and_young_people"
