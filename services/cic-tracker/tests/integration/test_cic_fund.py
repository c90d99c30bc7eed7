"""Microproject Development Fund through the API: rounds, applications, reviews, decisions,
awards (cic.fund.awarded), deferral, gifts and the ledger."""

from datetime import datetime, timedelta

from cic_tracker.models import FundRound
from cic_tracker.rules.fund import next_quarter, quarter_label, quarter_of


def _apply(client, applicant, package_type=1):
    """`applicant` is cic.fundable(): (person_id, headers, organisation_id)."""
    person, headers, org = applicant
    r = client.post(
        "/api/v1/fund/applications",
        json={
            "practitioner_id": person,
            "organisation_id": org,
            "package_type": package_type,
            "summary": "A small project where funding is the barrier",
        },
        headers=headers,
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _open_round(client, headers):
    rounds = client.get("/api/v1/fund/rounds", headers=headers).get_json()["items"]
    return next(r for r in rounds if r["state"] == "open")


def test_the_current_quarters_round_exists_and_takes_applications(client, cic):
    user = cic.fundable()
    body = client.get("/api/v1/fund/rounds", headers=user[1]).get_json()
    assert body["total"] == 1
    [r] = body["items"]
    assert r["state"] == "open" and r["quarter"] == quarter_label(*quarter_of(datetime.utcnow()))
    assert r["opens_at"] < datetime.utcnow().isoformat() + "Z" < r["closes_at"]
    app = _apply(client, user)
    assert app["round_id"] == r["id"] and app["state"] == "submitted" and app["amount_requested"] == 15000
    assert (
        client.post(
            "/api/v1/fund/applications",
            json={"practitioner_id": "p", "organisation_id": "o", "package_type": 5, "summary": "x"},
            headers=user[1],
        ).status_code
        == 400
    )


def test_fund_story_apply_close_review_award(client, cic):
    applicant = cic.fundable()
    staff, reviewer = cic.staff("cic_staff"), cic.staff("fund_reviewer")
    app = _apply(client, applicant, package_type=2)
    round_id = app["round_id"]
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "awarded"}, headers=staff
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["round_closed"]
    assert client.post(f"/api/v1/fund/rounds/{round_id}/close", headers=reviewer).status_code == 403
    r = client.post(f"/api/v1/fund/rounds/{round_id}/close", headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "closed"
    assert client.post(f"/api/v1/fund/rounds/{round_id}/close", headers=staff).status_code == 409
    assert (
        client.post(
            f"/api/v1/fund/applications/{app['id']}/reviews",
            json={"score": 4, "comment": "clear"},
            headers=applicant[1],
        ).status_code
        == 403
    )
    r = client.post(f"/api/v1/fund/applications/{app['id']}/reviews", json={"score": 6}, headers=reviewer)
    assert r.status_code == 400
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/reviews",
        json={"score": 4, "comment": "clear", "no_conflict": True},
        headers=reviewer,
    )
    assert r.status_code == 201
    # one review is not enough: an award needs two independent reviews declaring no conflict
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "awarded"}, headers=reviewer
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["two_reviews"]
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/reviews",
        json={"score": 4, "no_conflict": True},
        headers=cic.staff("fund_reviewer"),
    )
    assert r.status_code == 201
    summary = client.get(f"/api/v1/fund/rounds/{round_id}/summary", headers=reviewer).get_json()
    assert summary["counts"]["applications"] == 1 and summary["applications"][0]["average_score"] == 4.0
    cic.funded(client, 30000)  # an award needs received gifts covering it
    assert summary["applications"][0]["reviews_count"] == 2
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision",
        json={"outcome": "awarded", "note": "yes"},
        headers=reviewer,
    )
    assert r.status_code == 200
    body = r.get_json()
    assert body["award_id"] and body["state"] == "awarded"
    [event] = cic.outbox("cic.fund.awarded")
    assert event["data"] == {
        "award_id": body["award_id"],
        "application_id": app["id"],
        "practitioner_id": applicant[0],
        "organisation_id": applicant[2],
        "package_type": 2,
        "amount": 30000,
    }
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "declined"}, headers=staff
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["undecided"]
    rounds = {x["id"]: x for x in client.get("/api/v1/fund/rounds", headers=applicant[1]).get_json()["items"]}
    assert rounds[round_id]["state"] == "decided"
    # the next application goes into the next open round
    assert _apply(client, applicant)["round_id"] != round_id


def test_a_deferred_application_moves_to_the_next_round(client, cic, db):
    applicant = cic.fundable()
    staff = cic.staff()
    app = _apply(client, applicant)
    declined = _apply(client, applicant)
    client.post(f"/api/v1/fund/rounds/{app['round_id']}/close", headers=staff)
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "deferred"}, headers=staff
    )
    assert r.status_code == 200 and r.get_json()["award_id"] is None
    moved = r.get_json()
    assert moved["round_id"] != app["round_id"] and moved["state"] == "submitted" and moved["deferrals"] == 1
    nxt = db.session.get(FundRound, moved["round_id"])
    assert nxt.quarter == quarter_label(*next_quarter(*quarter_of(datetime.utcnow())))
    client.post(
        f"/api/v1/fund/applications/{declined['id']}/decision", json={"outcome": "declined"}, headers=staff
    )
    summary = client.get(f"/api/v1/fund/rounds/{app['round_id']}/summary", headers=staff).get_json()
    assert summary["round"]["state"] == "decided"
    assert summary["counts"] == {
        "applications": 2,
        "undecided": 0,
        "awarded": 0,
        "declined": 1,
        "deferred": 1,
    }
    # in its new round, the deferred application waits for that round to close
    r = client.post(
        f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "awarded"}, headers=staff
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["round_closed"]


def test_rounds_close_by_date(client, cic, db):
    user = cic.fundable()
    r = _open_round(client, user[1])
    row = db.session.get(FundRound, r["id"])
    row.closes_at = datetime.utcnow() - timedelta(seconds=1)
    db.session.commit()
    states = {
        x["id"]: x["state"] for x in client.get("/api/v1/fund/rounds", headers=user[1]).get_json()["items"]
    }
    assert states[r["id"]] == "closed"
    assert _apply(client, user)["round_id"] != r["id"]


def test_applications_are_private_to_applicant_and_fund_staff(client, cic):
    applicant = cic.fundable()
    a = applicant[1]
    _, b = cic.person()
    app = _apply(client, applicant)
    assert client.get(f"/api/v1/fund/applications/{app['id']}", headers=a).status_code == 200
    assert client.get(f"/api/v1/fund/applications/{app['id']}", headers=b).status_code == 404
    assert (
        client.get(f"/api/v1/fund/applications/{app['id']}", headers=cic.staff("fund_reviewer")).status_code
        == 200
    )
    assert client.get("/api/v1/fund/applications", headers=b).get_json()["total"] == 0
    assert client.get(f"/api/v1/fund/rounds/{app['round_id']}/summary", headers=a).status_code == 403


def test_gifts_and_the_ledger(client, cic):
    applicant = cic.fundable()
    supporter = applicant[1]
    staff = cic.staff("cic_staff", "fund_reviewer")
    r = client.post(
        "/api/v1/fund/gifts", json={"amount": 20000, "supporter_name": "A friend"}, headers=supporter
    )
    assert r.status_code == 201 and r.get_json()["currency"] == "GBP" and r.get_json()["state"] == "pledged"
    assert r.get_json()["name"] == "A friend"  # `supporter_name` is the earlier name of `name`
    assert client.post("/api/v1/fund/gifts", json={"amount": 0}, headers=supporter).status_code == 400
    assert client.post("/api/v1/fund/gifts", json={"amount": "100"}, headers=supporter).status_code == 400
    # a pledge counts in the balance only once CIC staff mark it received
    assert client.post(f"/api/v1/fund/gifts/{r.get_json()['id']}/received", headers=staff).status_code == 200
    app = _apply(client, applicant, package_type=1)
    client.post(f"/api/v1/fund/rounds/{app['round_id']}/close", headers=staff)
    cic.reviewed(client, app["id"])
    client.post(f"/api/v1/fund/applications/{app['id']}/decision", json={"outcome": "awarded"}, headers=staff)
    assert client.get("/api/v1/fund/ledger", headers=supporter).status_code == 403
    ledger = client.get("/api/v1/fund/ledger", headers=staff).get_json()
    assert (ledger["gifts_total"], ledger["awards_total"], ledger["balance"]) == (20000, 15000, 5000)
    assert ledger["gifts_count"] == 1 and ledger["awards_count"] == 1 and ledger["shortfall"] == 0


def test_row104_an_award_needs_received_gifts_covering_it(app, client, cic):
    """DOMAIN "Rulings" -> Money: fund gifts count only once received, so an award from an
    empty fund (or one holding only pledges) is refused by default and changes nothing."""
    assert app.config["FUND_AWARDS_REQUIRE_BALANCE"] is True  # the default
    user = cic.fundable()
    staff = cic.staff("cic_staff", "fund_reviewer")
    application = _apply(client, user, package_type=4)
    client.post(f"/api/v1/fund/rounds/{application['round_id']}/close", headers=staff)
    cic.reviewed(client, application["id"])

    def decide():
        return client.post(
            f"/api/v1/fund/applications/{application['id']}/decision",  # noqa: E731
            json={"outcome": "awarded"},
            headers=staff,
        )

    r = decide()
    body = r.get_json()
    assert r.status_code == 409 and body["unmet"] == ["fund_balance"] and "received gifts" in body["detail"]
    # a pledge is not money yet
    _, supporter = cic.person()
    pledge = client.post("/api/v1/fund/gifts", json={"amount": 100000, "name": "A friend"}, headers=supporter)
    assert pledge.status_code == 201
    r = decide()
    assert r.status_code == 409 and r.get_json()["unmet"] == ["fund_balance"]
    # received, but not enough
    cic.funded(client, 1000)
    assert decide().status_code == 409
    assert cic.outbox("cic.fund.awarded") == []
    ledger = client.get("/api/v1/fund/ledger", headers=staff).get_json()
    assert (ledger["awards_total"], ledger["balance"], ledger["shortfall"]) == (0, 1000, 0)
    got = client.get(f"/api/v1/fund/applications/{application['id']}", headers=staff).get_json()
    assert got["state"] == "submitted" and got["award_id"] is None
    # once the pledge is received, the award is made and the balance never goes negative
    assert (
        client.post(f"/api/v1/fund/gifts/{pledge.get_json()['id']}/received", headers=staff).status_code
        == 200
    )
    r = decide()
    assert r.status_code == 200, r.get_json()
    ledger = client.get("/api/v1/fund/ledger", headers=staff).get_json()
    assert ledger["balance"] == 101000 - r.get_json()["amount_requested"] >= 0


def test_awards_may_exceed_the_balance_only_when_the_check_is_turned_off(app, client, cic):
    user = cic.fundable()
    staff = cic.staff()
    application = _apply(client, user, package_type=1)
    client.post(f"/api/v1/fund/rounds/{application['round_id']}/close", headers=staff)
    cic.reviewed(client, application["id"])
    app.config["FUND_AWARDS_REQUIRE_BALANCE"] = False
    try:
        r = client.post(
            f"/api/v1/fund/applications/{application['id']}/decision",
            json={"outcome": "awarded"},
            headers=staff,
        )
        assert r.status_code == 200
    finally:
        app.config["FUND_AWARDS_REQUIRE_BALANCE"] = True
    assert client.get("/api/v1/fund/ledger", headers=staff).get_json()["shortfall"] == 15000


def test_training_redeeming_an_award_marks_it_used(client, cic):
    user = cic.fundable()
    staff = cic.staff("cic_staff", "fund_reviewer")
    application = _apply(client, user)
    client.post(f"/api/v1/fund/rounds/{application['round_id']}/close", headers=staff)
    cic.reviewed(client, application["id"])
    cic.funded(client, 15000)
    award_id = client.post(
        f"/api/v1/fund/applications/{application['id']}/decision", json={"outcome": "awarded"}, headers=staff
    ).get_json()["award_id"]
    outcome, _ = cic.feed(
        "training.fund_award.redeemed",
        {"award_id": award_id, "package_id": "pkg-9", "organisation_id": "org-1"},
    )
    assert outcome.action == "ack"
    entries = client.get("/api/v1/fund/ledger", headers=staff).get_json()["entries"]
    assert [e["state"] for e in entries if e["kind"] == "award"] == ["redeemed"]


def test_redeeming_an_award_the_fund_never_made_is_dead_lettered(cic):
    outcome, _ = cic.feed(
        "training.fund_award.redeemed",
        {"award_id": "award-unknown", "package_id": "pkg-9", "organisation_id": "org-1"},
    )
    assert outcome.action == "dead" and outcome.reason.startswith("rejected by handler")
