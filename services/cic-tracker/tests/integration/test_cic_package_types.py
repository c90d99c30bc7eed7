"""Issue 16: cic-tracker keeps no copy of the package table in code. It stores the package types
training publishes (`training.package_types.published`, latest price-book version wins, applied
idempotently) and reads Tracker uses and prices from them."""

import copy

from cic_tracker.services.package_types import package_type


def _version(cic, n, **type3):
    data = copy.deepcopy(cic.published_package_types)
    data["price_book_version"] = n
    next(p for p in data["package_types"] if p["type"] == 3).update(type3)
    return data


def test_the_event_updates_cics_package_types_and_a_tracker_credit_count_follows_it(app, client, cic, db):
    assert package_type(3).tracker_uses == 6 and package_type(3).price == 45000
    pro, headers = cic.person()
    # Type 3 now carries 3 Tracker uses per case: 9 for 3 cases
    outcome, _ = cic.feed(
        "training.package_types.published",
        _version(cic, 7, tracker_uses_per_case=3, tracker_uses=9, price=47599),
    )
    assert (
        package_type(3).tracker_uses,
        package_type(3).tracker_uses_per_case,
        package_type(3).price,
        package_type(3).price_book_version,
    ) == (9, 3, 47599, 7)
    mp_id = cic.package(pro, package_type=3, tracker_uses=9)
    assert mp_id is not None, "a 9-use Type 3 is what training sells now"
    [mp] = client.get("/api/v1/tracker/microprojects", headers=headers).get_json()["items"]
    assert mp["credits_left"] == 9

    # an older version arriving late changes nothing; a Type 3 with 9 uses is still accepted
    cic.feed("training.package_types.published", _version(cic, 6))
    assert (package_type(3).tracker_uses, package_type(3).price_book_version) == (9, 7)

    # back to 2 per case: a forged or stale 9-use Type 3 sale is refused (dead-lettered), never stored
    cic.feed("training.package_types.published", _version(cic, 8))
    assert package_type(3).tracker_uses == 6
    assert cic.package(pro, package_type=3, tracker_uses=9) is None


def test_the_same_event_delivered_twice_is_applied_once(cic, db):
    data = _version(cic, 9, price=50000, tracker_uses_per_case=2, tracker_uses=6)
    first, env = cic.feed("training.package_types.published", data)
    again, _ = cic.feed("training.package_types.published", data, envelope=env)
    assert package_type(3).price == 50000 and package_type(3).price_book_version == 9
    assert first != again  # the second delivery is recognised as a duplicate by the inbox


def test_a_fund_award_is_for_the_price_training_publishes_at_award_time(client, cic):
    applicant = cic.fundable()
    person, headers, org = applicant
    r = client.post(
        "/api/v1/fund/applications",
        json={
            "practitioner_id": person,
            "organisation_id": org,
            "package_type": 3,
            "summary": "A small project where funding is the barrier",
        },
        headers=headers,
    )
    assert r.status_code == 201 and r.get_json()["amount_requested"] == 45000
    app = r.get_json()
    staff = cic.staff("cic_staff")
    assert client.post(f"/api/v1/fund/rounds/{app['round_id']}/close", headers=staff).status_code == 200
    cic.reviewed(client, app["id"])
    cic.feed("training.package_types.published", _version(cic, 10, price=48000))
    cic.funded(client, 48000)
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "awarded"}, headers=staff
    )
    assert r.status_code == 200, r.get_json()
    [event] = cic.outbox("cic.fund.awarded")
    assert event["data"]["amount"] == 48000
