"""training.package.cancelled (its invoice was voided before any use) closes the microproject:
no more Tracker use is possible; an unknown field is rejected (closed schema)."""

from cic_tracker.models import Microproject

CASES = "/api/v1/tracker/microprojects/{}/cases"


def test_a_cancelled_package_closes_its_microproject(client, cic, consent, db):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=3, tracker_uses=6, organisation_id="org-1")
    package_id = db.session.get(Microproject, mp_id).package_id

    outcome, _ = cic.feed(
        "training.package.cancelled",
        {"package_id": package_id, "organisation_id": "org-1", "practitioner_id": person},
    )
    assert outcome.action == "ack"
    mp = client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).get_json()
    assert mp["state"] == "cancelled" and mp["credits_left"] == 0
    r = client.post(CASES.format(mp_id), json={"code": "C-001", "consent": consent}, headers=headers)
    assert r.status_code == 409 and "microproject_open" in r.get_json()["unmet"]

    extra, _ = cic.feed(
        "training.package.cancelled",
        {"package_id": package_id, "organisation_id": "org-1", "practitioner_id": person, "refund": 1},
    )
    assert extra.action == "dead"


def test_a_cancellation_of_a_package_cic_never_opened_is_dead_lettered_not_acked(cic):
    """A handler that cannot apply an event rejects it (dead letter), so a later replay of the
    purchase and then of the cancellation still closes the workspace."""
    outcome, _ = cic.feed(
        "training.package.cancelled",
        {"package_id": "pkg-unknown", "organisation_id": "org-1", "practitioner_id": "p-1"},
    )
    assert outcome.action == "dead" and outcome.reason.startswith("rejected by handler")
