"""The Microproject Practice Guidelines gate (decision 0064), through the API and the real consumer
path on SQLite and PostgreSQL: a microproject's first case needs its practitioner's acknowledgement
of the version in force (learnt by event); a new version needs acknowledging again before the next
first case, not before later cases of a microproject under way; a refusal writes nothing."""

import pytest

from cic_tracker.models import Case
from cic_tracker.models.guidelines import GuidelinesAcknowledgement, GuidelinesVersion

CASES = "/api/v1/tracker/microprojects/{}/cases"


def _publish(cic, version):
    return cic.feed(
        "training.practice_guidelines.published",
        {"version": version, "published_at": "2026-11-29T10:00:00Z"},
    )


def _ack(cic, person, version):
    return cic.feed(
        "training.practitioner.guidelines_acknowledged",
        {"person_id": person, "version": version, "acknowledged_at": "2026-11-29T11:00:00Z"},
    )


def _open(client, mp_id, headers, consent, code="C-1"):
    return client.post(CASES.format(mp_id), json={"code": code, "consent": consent}, headers=headers)


def test_first_case_needs_the_current_guidelines_acknowledged(client, cic, consent, db):
    person, headers = cic.person()
    mp_id = cic.package(person)
    _publish(cic, 1)
    r = _open(client, mp_id, headers, consent)
    assert r.status_code == 409, r.get_json()
    body = r.get_json()
    assert body["unmet"] == ["practice_guidelines"] and "version 1" in body["detail"]
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert db.session.query(Case).count() == 0  # the refusal leaves no trace
    _ack(cic, person, 1)
    assert _open(client, mp_id, headers, consent).status_code == 201


def test_a_new_version_gates_the_next_first_case_not_a_microproject_under_way(client, cic, consent):
    person, headers = cic.person()
    _publish(cic, 1)
    _ack(cic, person, 1)
    started = cic.package(person)
    assert _open(client, started, headers, consent).status_code == 201
    _publish(cic, 2)
    # the microproject under way goes on
    assert _open(client, started, headers, consent, code="C-2").status_code == 201
    # a new microproject's first case waits for version 2
    fresh = cic.package(person)
    r = _open(client, fresh, headers, consent)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["practice_guidelines"]
    _ack(cic, person, 2)
    assert _open(client, fresh, headers, consent).status_code == 201


def test_another_practitioners_acknowledgement_does_not_count(client, cic, consent):
    person, headers = cic.person()
    other, _ = cic.person()
    _publish(cic, 1)
    _ack(cic, other, 1)
    mp_id = cic.package(person)
    assert _open(client, mp_id, headers, consent).status_code == 409


def test_before_any_version_is_published_there_is_nothing_to_acknowledge(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person)
    assert _open(client, mp_id, headers, consent).status_code == 201


@pytest.mark.parametrize("event", ["published", "acknowledged"])
def test_replayed_events_change_nothing(cic, db, event):
    feed = (lambda: _publish(cic, 3)) if event == "published" else (lambda: _ack(cic, "p-1", 3))
    outcome, env = feed()
    again, _ = cic.feed(env.type, env.data, envelope=env)
    model = GuidelinesVersion if event == "published" else GuidelinesAcknowledgement
    assert db.session.query(model).count() == 1
    assert outcome != again  # the second delivery is recognised as a duplicate


def test_events_carry_no_case_data(cic, db):
    """The acknowledgement schema is person, version and when: a field about a case is dropped."""
    _ack(cic, "p-2", 1)
    row = db.session.query(GuidelinesAcknowledgement).one()
    assert {c.name for c in row.__table__.columns} == {
        "person_id",
        "version",
        "acknowledged_at",
        "updated_at",
    }
