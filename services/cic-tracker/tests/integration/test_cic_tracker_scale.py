"""The score ranges are published (GET /api/v1/tracker/scale, /api/v1/fund/review-scale, public), and
they are the ranges a score is checked against: a client shows and checks them without a copy of its own."""


def test_the_scale_is_public_and_is_what_an_assessment_accepts(client, cic, consent):
    r = client.get("/api/v1/tracker/scale")
    assert r.status_code == 200
    scale = r.get_json()
    assert scale == {"min": 0, "max": 10, "step": 1, "kinds": ["baseline", "follow_up"]}

    person, headers = cic.person()
    mp_id = cic.package(person, tracker_uses=6)
    case = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/cases",
        json={"code": "C-scale", "consent": consent},
        headers=headers,
    ).get_json()

    def assess(score, kind="baseline"):
        body = {"kind": kind, "scores": {"communication": score}}
        return client.post(f"/api/v1/tracker/cases/{case['id']}/assessments", json=body, headers=headers)

    assert assess(scale["max"] + 1).status_code == 400
    assert assess(scale["min"] - 1).status_code == 400
    assert assess(scale["min"]).status_code == 201
    assert assess(scale["max"], scale["kinds"][1]).status_code == 201


def test_the_fund_review_scale_is_public(client):
    # what POST /api/v1/fund/applications/{id}/reviews accepts (a 6 is refused: test_cic_fund)
    r = client.get("/api/v1/fund/review-scale")
    assert r.status_code == 200 and r.get_json() == {"min": 1, "max": 5, "step": 1}
