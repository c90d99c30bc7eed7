"""Issue 16, cic-tracker: the practicum as the rulings mean it (DOMAIN "Rulings" -> Practitioner
roles, Microproject Practitioner Licence, CIC; CONTRACT "Second contract"; domain rows 21, 29,
30, 35-39, 45, 75, 81, 86, 97, 101, 102, 104). Through the API and the real consumer path, on
SQLite and PostgreSQL; races with 20 real threads on PostgreSQL."""

import uuid

import pytest

from cic_tracker.models import Case, Microproject
from support.testing import simultaneous_results as _threads

CASES = "/api/v1/tracker/microprojects/{}/cases"
MP = "/api/v1/tracker/microprojects/{}"


def _org():
    return "org-" + uuid.uuid4().hex[:8]


def _case(client, mp_id, headers, consent, code="C-1"):
    r = client.post(CASES.format(mp_id), json={"code": code, "consent": consent}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _assess(client, case_id, headers, kind="baseline"):
    return client.post(
        f"/api/v1/tracker/cases/{case_id}/assessments",
        headers=headers,
        json={"kind": kind, "scores": {"communication": 4}},
    )


def _admin(cic, org):
    user_id = "u-admin-" + uuid.uuid4().hex[:8]
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": org, "user_id": user_id, "status": "active"},
    )
    return cic.keys.headers(user_id=user_id)


# ---- tracker uses per case (ruling; CONTRACT) ------------------------------------------------


@pytest.mark.parametrize("package_type,uses,per_case", [(1, 3, 1), (2, 0, 0), (3, 6, 2), (4, 9, 3)])
def test_a_microproject_shows_tracker_uses_per_case(client, cic, package_type, uses, per_case):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=package_type, tracker_uses=uses)
    body = client.get(MP.format(mp_id), headers=headers).get_json()
    assert body["tracker_uses_per_case"] == per_case
    listed = client.get("/api/v1/tracker/microprojects", headers=headers).get_json()["items"][0]
    assert listed["tracker_uses_per_case"] == per_case


def test_an_assessment_beyond_a_cases_share_is_refused_while_other_cases_have_uses_left(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=4, tracker_uses=9)  # 3 per case
    first, second = _case(client, mp_id, headers, consent, "A"), _case(client, mp_id, headers, consent, "B")
    assert _assess(client, first, headers).status_code == 201
    assert _assess(client, first, headers, "follow_up").status_code == 201
    assert _assess(client, first, headers, "follow_up").status_code == 201
    r = _assess(client, first, headers, "follow_up")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["tracker_credit"]
    assert r.headers["Content-Type"] == "application/problem+json"
    mp = client.get(MP.format(mp_id), headers=headers).get_json()
    assert mp["credits_left"] == 6  # the refusal took nothing
    assert _assess(client, second, headers).status_code == 201


def test_a_type_2_case_has_no_tracker_use(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=2, tracker_uses=0)
    r = _assess(client, _case(client, mp_id, headers, consent), headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["tracker_credit"]


def test_tracker_uses_per_case_hold_under_20_concurrent_assessments(app, client, cic, consent, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=3, tracker_uses=6)  # 2 per case
    case_id = _case(client, mp_id, headers, consent)
    assert _assess(client, case_id, headers).status_code == 201
    out = _threads(app, 20, lambda c, i: _assess(c, case_id, headers, "follow_up"))
    codes = sorted(s for s, _ in out)
    assert codes == [201] + [409] * 19, codes
    assert all(body["unmet"] == ["tracker_credit"] for s, body in out if s == 409), out
    db.session.expire_all()
    assert db.session.get(Case, case_id).uses_count == 2
    mp = db.session.get(Microproject, mp_id)
    assert (mp.credits_used, mp.credits_left) == (2, 4)  # other cases keep their uses


# ---- completion rules per type (rows 36-39) and the supervised practicum (row 35) --------------


def test_row36_a_type_1_practicum_completes_with_a_baseline_for_each_case(client, cic, consent):
    org = _org()
    person, headers = cic.person(organisation_id=org)
    mp_id = cic.package(person, package_type=1, tracker_uses=3, organisation_id=org)
    assert client.post(f"{MP.format(mp_id)}/setup", headers=headers).status_code == 200
    lead_plus, lp = cic.person(organisation_id=org, certified=("lead_plus",))
    cic.oversee(client, mp_id, lead_plus, lp, headers)
    cases = [_case(client, mp_id, headers, consent, f"S-{i}") for i in range(3)]
    for case_id in cases:
        assert _assess(client, case_id, headers).status_code == 201
    r = client.post(f"{MP.format(mp_id)}/completion", json={"reflection": "screened three"}, headers=headers)
    assert r.status_code == 200 and r.get_json()["state"] == "awaiting_sign_off"


def test_row37_a_type_2_practicum_needs_a_reflection_for_each_case(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=2, tracker_uses=0)
    a, b = _case(client, mp_id, headers, consent, "A"), _case(client, mp_id, headers, consent, "B")
    client.post(f"/api/v1/tracker/cases/{a}/reflections", json={"text": "went well"}, headers=headers)
    r = client.post(f"{MP.format(mp_id)}/completion", json={"reflection": "x"}, headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["case_reflection"]
    client.post(f"/api/v1/tracker/cases/{b}/reflections", json={"text": "went well"}, headers=headers)
    assert (
        client.post(f"{MP.format(mp_id)}/completion", json={"reflection": "x"}, headers=headers).status_code
        == 200
    )


@pytest.mark.parametrize("package_type,uses", [(3, 6), (4, 9)])
def test_rows38_39_types_3_and_4_need_a_baseline_and_a_follow_up_for_each_case(
    client, cic, consent, package_type, uses
):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=package_type, tracker_uses=uses)
    case_id = _case(client, mp_id, headers, consent)
    _assess(client, case_id, headers)
    r = client.post(f"{MP.format(mp_id)}/completion", json={"reflection": "x"}, headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["follow_up"]
    _assess(client, case_id, headers, "follow_up")
    assert (
        client.post(f"{MP.format(mp_id)}/completion", json={"reflection": "x"}, headers=headers).status_code
        == 200
    )
    rules = client.get(MP.format(mp_id), headers=headers).get_json()["completion_rules"]
    assert rules["each_case"] == ["baseline", "follow_up"] and rules["sign_off"] is True


def _ready(client, cic, consent, org):
    person, headers = cic.person(organisation_id=org)
    mp_id = cic.package(person, package_type=3, tracker_uses=6, organisation_id=org)
    case_id = _case(client, mp_id, headers, consent)
    _assess(client, case_id, headers)
    _assess(client, case_id, headers, "follow_up")
    r = client.post(f"{MP.format(mp_id)}/completion", json={"reflection": "what I learnt"}, headers=headers)
    assert r.status_code == 200 and r.get_json()["state"] == "awaiting_sign_off"
    return person, headers, mp_id


def test_row35_completion_reaches_training_only_after_sign_off_by_a_lead_of_the_organisation(
    client, cic, consent
):
    org = _org()
    person, headers, mp_id = _ready(client, cic, consent, org)
    assert cic.outbox("cic.practicum.completed") == []
    # the practitioner does not sign off their own practicum; nor does a Lead elsewhere or staff
    _, lead_elsewhere = cic.person(organisation_id=_org(), certified=("lead",))
    _, colleague = cic.person(organisation_id=org)
    assert client.post(f"{MP.format(mp_id)}/sign-off", headers=headers).status_code == 403
    assert client.post(f"{MP.format(mp_id)}/sign-off", headers=colleague).status_code == 404
    assert client.post(f"{MP.format(mp_id)}/sign-off", headers=lead_elsewhere).status_code == 404
    assert client.post(f"{MP.format(mp_id)}/sign-off", headers=cic.staff()).status_code == 403
    assert cic.outbox("cic.practicum.completed") == []
    lead, lead_headers = cic.person(organisation_id=org, certified=("lead",))
    r = client.post(f"{MP.format(mp_id)}/sign-off", headers=lead_headers)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["state"] == "completed" and body["signed_off_by_person_id"] == lead
    assert body["signed_off_as"] == "lead" and body["signed_off_at"]
    [event] = cic.outbox("cic.practicum.completed")
    assert event["data"]["practitioner_id"] == person and event["data"]["cases_count"] == 1
    r = client.post(f"{MP.format(mp_id)}/sign-off", headers=lead_headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["microproject_open"]


def test_row35_the_accepted_overseer_signs_off_and_a_pending_one_cannot(client, cic, consent):
    org = _org()
    _, headers, mp_id = _ready(client, cic, consent, org)
    overseer, overseer_headers = cic.person(organisation_id=org, certified=("lead_plus",))
    client.post(f"{MP.format(mp_id)}/overseer", json={"person_id": overseer}, headers=headers)
    cic.feed(
        "training.membership.changed",
        {"organisation_id": org, "person_id": overseer, "user_id": None, "role": "staff", "status": "ended"},
    )
    # named, not accepted, and no longer a member: nothing to sign
    assert client.post(f"{MP.format(mp_id)}/sign-off", headers=overseer_headers).status_code == 403
    assert client.post(f"{MP.format(mp_id)}/overseer/accept", headers=overseer_headers).status_code == 200
    r = client.post(f"{MP.format(mp_id)}/sign-off", headers=overseer_headers)
    assert r.status_code == 200 and r.get_json()["signed_off_as"] == "overseer"


def test_row35_sign_off_needs_a_completion_request_first(client, cic, consent):
    org = _org()
    person, headers = cic.person(organisation_id=org)
    mp_id = cic.package(person, organisation_id=org)
    _, lead_plus = cic.person(organisation_id=org, certified=("lead_plus",))
    r = client.post(f"{MP.format(mp_id)}/sign-off", headers=lead_plus)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["awaiting_sign_off"]


def test_row35_one_sign_off_under_20_concurrent_requests(app, client, cic, consent, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    org = _org()
    _, _, mp_id = _ready(client, cic, consent, org)
    _, lead = cic.person(organisation_id=org, certified=("lead_plus",))
    out = _threads(app, 20, lambda c, i: c.post(f"{MP.format(mp_id)}/sign-off", headers=lead))
    codes = sorted(s for s, _ in out)
    assert codes == [200] + [409] * 19, codes
    assert len(cic.outbox("cic.practicum.completed")) == 1


# ---- overseers (rows 29, 30, 45; the trust defect) --------------------------------------------


def test_overseer_is_a_lead_plus_active_member_and_stays_pending_until_accepted(client, cic, consent):
    org = _org()
    person, headers = cic.person(organisation_id=org)
    mp_id = cic.package(person, organisation_id=org)
    case_id = _case(client, mp_id, headers, consent)
    outsider, outsider_headers = cic.person(organisation_id=_org(), certified=("lead_plus",))
    r = client.post(f"{MP.format(mp_id)}/overseer", json={"person_id": outsider}, headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["overseer_organisation_member"]
    overseer, overseer_headers = cic.person(organisation_id=org, certified=("lead_plus",))
    r = client.post(f"{MP.format(mp_id)}/overseer", json={"person_id": overseer}, headers=headers)
    assert r.status_code == 200 and r.get_json()["overseer_state"] == "pending"
    assert r.get_json()["overseer_via"] == "organisation"
    # pending: sees the overview to accept, reads no case text
    assert client.get(MP.format(mp_id), headers=overseer_headers).status_code == 200
    assert client.get(f"/api/v1/tracker/cases/{case_id}", headers=overseer_headers).status_code == 404
    # only the named overseer accepts
    _, other_lp = cic.person(organisation_id=org, certified=("lead_plus",))
    assert client.post(f"{MP.format(mp_id)}/overseer/accept", headers=other_lp).status_code == 403
    assert client.post(f"{MP.format(mp_id)}/overseer/accept", headers=outsider_headers).status_code == 404
    r = client.post(f"{MP.format(mp_id)}/overseer/accept", headers=overseer_headers)
    assert r.status_code == 200 and r.get_json()["overseer_state"] == "accepted"
    assert client.get(f"/api/v1/tracker/cases/{case_id}", headers=overseer_headers).status_code == 200


def test_an_organisation_admin_who_is_a_lead_plus_elsewhere_cannot_appoint_themself(client, cic, consent):
    org = _org()
    person, headers = cic.person(organisation_id=org)
    mp_id = cic.package(person, organisation_id=org)
    case_id = _case(client, mp_id, headers, consent)
    admin_person, _ = cic.person(organisation_id=_org(), certified=("lead_plus",))
    from cic_tracker.extensions import db
    from cic_tracker.models import KnownPerson

    admin_user = db.session.get(KnownPerson, admin_person).user_id
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": org, "user_id": admin_user, "status": "active"},
    )
    admin = cic.keys.headers(user_id=admin_user)
    r = client.post(f"{MP.format(mp_id)}/overseer", json={"person_id": admin_person}, headers=admin)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["overseer_not_self"]
    assert client.get(f"/api/v1/tracker/cases/{case_id}", headers=admin).status_code == 404
    assert client.get(MP.format(mp_id), headers=admin).get_json()["overseer_person_id"] is None


def test_cic_staff_cannot_appoint_an_overseer(client, cic):
    org = _org()
    person, _ = cic.person(organisation_id=org)
    mp_id = cic.package(person, organisation_id=org)
    stranger, _ = cic.person(certified=("lead_plus",))
    r = client.post(f"{MP.format(mp_id)}/overseer", json={"person_id": stranger}, headers=cic.staff())
    assert r.status_code == 403


def test_a_training_admin_assigns_one_of_training_s_own_lead_plus(client, cic, consent):
    org = _org()
    person, headers = cic.person(organisation_id=org)
    mp_id = cic.package(person, package_type=1, tracker_uses=3, organisation_id=org)
    client.post(f"{MP.format(mp_id)}/setup", headers=headers)
    case_id = _case(client, mp_id, headers, consent)
    imt_lp, imt_headers = cic.person(certified=("lead_plus",))  # I Matter Training's own team
    admin = cic.keys.headers(user_id="u-ta-" + uuid.uuid4().hex[:6], roles=["training_admin"])
    # the organisation's admin cannot name an outsider; a training admin can
    r = client.post(f"{MP.format(mp_id)}/overseer", json={"person_id": imt_lp}, headers=_admin(cic, org))
    assert r.status_code == 409 and r.get_json()["unmet"] == ["overseer_organisation_member"]
    r = client.post(f"{MP.format(mp_id)}/overseer", json={"person_id": imt_lp}, headers=admin)
    assert r.status_code == 200 and r.get_json()["overseer_via"] == "training"
    # Type 1 (row 30): use needs an ACCEPTED Lead Plus overseer
    assert _assess(client, case_id, headers).get_json()["unmet"] == ["lead_plus_oversight"]
    assert client.post(f"{MP.format(mp_id)}/overseer/accept", headers=imt_headers).status_code == 200
    assert _assess(client, case_id, headers).status_code == 201
    # a training admin reads no case text
    assert client.get(f"/api/v1/tracker/cases/{case_id}", headers=admin).status_code == 404


def test_the_named_overseer_may_decline(client, cic):
    org = _org()
    person, headers = cic.person(organisation_id=org)
    mp_id = cic.package(person, organisation_id=org)
    overseer, overseer_headers = cic.person(organisation_id=org, certified=("lead_plus",))
    client.post(f"{MP.format(mp_id)}/overseer", json={"person_id": overseer}, headers=headers)
    r = client.post(f"{MP.format(mp_id)}/overseer/decline", headers=overseer_headers)
    assert r.status_code == 200 and r.get_json()["overseer_person_id"] is None


# ---- row 21: an active Enhanced Licence; rows 101/102: the practitioner licence ----------------


def test_row21_no_tracker_use_without_a_known_active_enhanced_licence(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person, organisation_id="org-no-enhanced", enhanced=False)
    r = client.post(CASES.format(mp_id), json={"code": "N-1", "consent": consent}, headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["enhanced_licence"]
    cic.enhanced("org-no-enhanced")
    case_id = _case(client, mp_id, headers, consent)
    assert _assess(client, case_id, headers).status_code == 201
    cic.enhanced("org-no-enhanced", status="active", valid_until="2020-01-01")  # past its date
    r = _assess(client, case_id, headers, "follow_up")
    assert r.status_code == 409 and "enhanced_licence" in r.get_json()["unmet"]


def test_rows101_102_a_paused_or_lapsed_practitioner_licence_stops_assessments(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=4, tracker_uses=9)
    case_id = _case(client, mp_id, headers, consent)
    licence = {"person_id": person, "licence_id": "pl-" + uuid.uuid4().hex[:6], "valid_until": "2099-01-01"}
    cic.feed("training.practitioner_licence.changed", {**licence, "state": "active"})
    assert _assess(client, case_id, headers).status_code == 201
    for state in ("paused", "lapsed"):
        cic.feed("training.practitioner_licence.changed", {**licence, "state": state})
        r = _assess(client, case_id, headers, "follow_up")
        assert r.status_code == 409 and r.get_json()["unmet"] == ["practitioner_licence"]
    cic.feed("training.practitioner_licence.changed", {**licence, "state": "active"})  # renewed
    assert _assess(client, case_id, headers, "follow_up").status_code == 201


# ---- fund, evaluation, hubs (rows 104, 75, 81, 97, 86) -----------------------------------------


def test_row104_an_award_amount_is_the_package_price_at_award_time(client, cic):
    applicant = cic.fundable()
    r = client.post(
        "/api/v1/fund/applications",
        headers=applicant[1],
        json={
            "practitioner_id": applicant[0],
            "organisation_id": applicant[2],
            "package_type": 3,
            "summary": "need",
        },
    )
    assert r.status_code == 201, r.get_json()
    app = r.get_json()
    staff = cic.staff()
    assert client.post(f"/api/v1/fund/rounds/{app['round_id']}/close", headers=staff).status_code == 200
    cic.reviewed(client, app["id"])
    # the price changed after the application: training published a new price-book version
    book = cic.published_package_types
    cic.feed(
        "training.package_types.published",
        {
            "price_book_version": book["price_book_version"] + 1,
            "package_types": [{**t, "price": 47500} if t["type"] == 3 else t for t in book["package_types"]],
        },
    )
    cic.funded(client, 47500)
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "awarded"}, headers=staff
    )
    assert r.status_code == 200
    [event] = cic.outbox("cic.fund.awarded")
    assert event["data"]["amount"] == 47500


def test_rows75_81_97_commissioners_see_the_evaluation_summary(client, cic):
    user = "u-comm-" + uuid.uuid4().hex[:6]
    commissioner = cic.keys.headers(user_id=user)
    assert client.get("/api/v1/evaluation/summary", headers=commissioner).status_code == 403
    cic.feed(
        "training.organisation_admin.changed",
        {
            "organisation_id": "org-comm",
            "user_id": user,
            "status": "active",
            "organisation_kind": "commissioner",
        },
    )
    r = client.get("/api/v1/evaluation/summary", headers=commissioner)
    assert r.status_code == 200 and "cells" in r.get_json()
    # the admin of a school sees no evaluation
    school = "u-school-" + uuid.uuid4().hex[:6]
    cic.feed(
        "training.organisation_admin.changed",
        {
            "organisation_id": "org-school",
            "user_id": school,
            "status": "active",
            "organisation_kind": "school",
        },
    )
    assert (
        client.get("/api/v1/evaluation/summary", headers=cic.keys.headers(user_id=school)).status_code == 403
    )
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": "org-comm", "user_id": user, "status": "ended"},
    )
    assert client.get("/api/v1/evaluation/summary", headers=commissioner).status_code == 403


def test_row86_a_hub_links_to_a_locality_hub_organisation_only(client, cic):
    staff = cic.staff()
    cic.feed(
        "training.organisation_admin.changed",
        {
            "organisation_id": "org-hub",
            "user_id": "u-hub",
            "status": "active",
            "organisation_kind": "locality_hub",
        },
    )
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": "org-sch", "user_id": "u-sch", "status": "active", "organisation_kind": "school"},
    )
    r = client.post("/api/v1/hubs", json={"name": "North hub", "organisation_id": "org-sch"}, headers=staff)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["locality_hub_organisation"]
    r = client.post("/api/v1/hubs", json={"name": "North hub", "organisation_id": "org-hub"}, headers=staff)
    assert r.status_code == 201 and r.get_json()["organisation_id"] == "org-hub"
    other = client.post("/api/v1/hubs", json={"name": "South hub"}, headers=staff).get_json()
    r = client.post(
        f"/api/v1/hubs/{other['id']}/organisation", json={"organisation_id": "org-hub"}, headers=staff
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["unique_organisation"]
    r = client.post(
        f"/api/v1/hubs/{other['id']}/organisation",
        json={"organisation_id": "org-hub"},
        headers=cic.staff("fund_reviewer"),
    )
    assert r.status_code == 403
