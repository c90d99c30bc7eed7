"""GET /api/v1/organisations/{id} stays a small, fixed number of SQL statements, whatever the
organisation holds: its licences are loaded once per request and handed to the stage, next
steps, seats and suspension checks (it used to ask for the same licence six times; 18 queries).

A count of statements, not a timing: it fails the day a change brings the repeated look-ups back."""

import uuid

import pytest
import sqlalchemy as sa

from training.models import PathwayItem

# 7 today: the caller (person, then admin and member organisations: 3), the organisation, its
# licences, one statement of counts (learners, practitioners, microprojects, members, seats in
# use) and the seat credits; one spare
MAX_QUERIES = 8


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


@pytest.fixture
def count_queries(db):
    """Statements sent to the database while the block runs (SQLAlchemy cursor events)."""

    class Counter:
        statements: list[str] = []

        def __enter__(self):
            self.statements = []
            sa.event.listen(db.engine, "before_cursor_execute", self._seen)
            return self

        def __exit__(self, *exc):
            sa.event.remove(db.engine, "before_cursor_execute", self._seen)

        def _seen(self, conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
                self.statements.append(statement)

    return Counter()


def _rich_org(client, db, h, join):
    """Starter, CPD and Enhanced licences, a member with a seat and one booked on Link training."""
    r = client.post(
        "/api/v1/organisations",
        json={
            "name": "Fictional Query Count Service",
            "kind": "other_service",
            "size_band": "medium",
            "link_contact_email": "link@qc.example",
            "senior_leadership_commitment": True,
        },
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    for lic in ("starter", "cpd"):
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/licences", json={"type": lic}, headers=h
            ).status_code
            == 201
        )
    person = join(h, org["id"], "Fictional Link Trainee", email="trainee@qc.example")
    db.session.add(
        PathwayItem(
            person_id=person["id"], item="link_training", role="link", price=25000, organisation_id=org["id"]
        )
    )
    db.session.commit()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", json={"type": "enhanced"}, headers=h
        ).status_code
        == 201
    )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": person["id"]}, headers=h
    )
    assert r.status_code in (200, 201), r.get_json()
    return org


def test_an_organisation_read_is_a_fixed_small_number_of_queries(client, db, keys, count_queries, join):
    h = _user(keys)
    org = _rich_org(client, db, h, join)
    db.session.remove()
    with count_queries as c:
        r = client.get(f"/api/v1/organisations/{org['id']}", headers=h)
    assert r.status_code == 200
    body = r.get_json()
    # the read still says everything it said before
    assert [lic["type"] for lic in body["licences"]] == ["starter", "cpd", "enhanced"]
    assert all(lic["status"] == "active" and not lic["suspended"] for lic in body["licences"])
    assert body["seats"]["used"] == 1 and body["seats"]["assignable"] is True
    assert body["stage_facts"]["practitioners"] == 1 and body["members_count"] == 1
    assert len(c.statements) <= MAX_QUERIES, "\n".join(c.statements)


def test_an_empty_organisation_read_is_no_more_queries(client, db, keys, count_queries):
    h = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        json={
            "name": "Fictional Empty Service",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@empty.example",
        },
        headers=h,
    ).get_json()
    db.session.remove()
    with count_queries as c:
        r = client.get(f"/api/v1/organisations/{org['id']}", headers=h)
    assert r.status_code == 200 and r.get_json()["licences"] == []
    assert len(c.statements) <= MAX_QUERIES, "\n".join(c.statements)
