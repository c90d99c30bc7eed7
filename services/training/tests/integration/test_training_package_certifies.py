"""Buying a package can complete a role (`package_type_N` is met by the first package of the type):
the first Type 1 package certifies a Senior Link whose other requirements are met. A later package of
the same type changes no requirement, so the purchase skips the certification check (issue 18 P4:
one EXISTS instead of the person's facts); counted in statements, never timed."""

from __future__ import annotations

import sqlalchemy as sa

from training.models.certification import Certification, PathwayItem
from training.services.clock import now

from .test_training_review16_rows import _enhanced_org, _user


def _statements(db):
    seen: list[str] = []

    def _count(conn, cursor, statement, *a):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _count)
    return seen, lambda: sa.event.remove(db.engine, "before_cursor_execute", _count)


def test_the_first_type_1_package_certifies_a_senior_link_and_a_second_skips_the_check(
    client, keys, join, db
):
    admin, _, _ = _user(keys)
    org = _enhanced_org(client, admin, join)
    member = join(admin, org["id"], "Sena Fictional-Senior-Link")
    db.session.add(Certification(person_id=member["id"], role="informed", certified_at=now()))
    db.session.add(
        PathwayItem(
            person_id=member["id"],
            item="senior_link_training",
            role="senior_link",
            organisation_id=org["id"],
            quantity=1,
            price=0,
            state="completed",
            completed_at=now(),
        )
    )
    db.session.commit()
    body = {"type": 1, "practitioner_id": member["id"], "funding": "organisation"}
    url = f"/api/v1/organisations/{org['id']}/packages"

    def roles():
        r = client.get(f"/api/v1/people/{member['id']}/certifications", headers=admin)
        assert r.status_code == 200, r.get_json()
        return sorted(c["role"] for c in r.get_json()["items"] if c["status"] == "current")

    assert roles() == ["informed"]
    first, stop = _statements(db)
    try:
        assert client.post(url, headers=admin, json=body).status_code == 201
    finally:
        stop()
    assert roles() == ["informed", "senior_link"]

    second, stop = _statements(db)
    try:
        assert client.post(url, headers=admin, json=body).status_code == 201
    finally:
        stop()
    assert roles() == ["informed", "senior_link"]  # nothing certified twice
    # the first purchase read the person's facts (certify_ready); the second did not
    assert not any("FROM enrolments" in s for s in second), second
    assert any("FROM enrolments" in s for s in first)
