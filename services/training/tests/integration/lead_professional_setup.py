"""Set-up shared by the Lead Professional, licence, study support and study supporter tests (not a
test module: pytest collects `test_*.py` only): a caller's headers, a school with its licences, the
references an application gives, courses completed through the API and a Level 3A group."""

import uuid
from datetime import date

REFS = [{"name": "Ref One", "relationship": "head teacher"}, {"name": "Ref Two", "relationship": "colleague"}]


def _user(keys, roles=("learner",), name=""):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles), name=name)


def _org(
    client,
    admin,
    name="Fictional Rowan School",
    contact="link@rowan.example",
    licences=("starter", "cpd"),
    accepted=(201,),
):
    """A small school set up by `admin`, with each of `licences` bought (answered with one of
    `accepted`)."""
    r = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": name,
            "kind": "school",
            "size_band": "small",
            "link_contact_email": contact,
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    for t in licences:
        r = client.post(f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": t})
        assert r.status_code in accepted, r.get_json()
    return org


def _complete(client, admin, staff, person, courses, funding="cpd_credit"):
    """Each course enrolled (by the organisation's admin, or by the person for `funding="self"`)
    and completed by the training admin `staff`."""
    for course in courses:
        h = person["headers"] if funding == "self" else admin
        r = client.post(
            "/api/v1/enrolments",
            headers=h,
            json={"person_id": person["id"], "course_code": course, "funding": funding},
        )
        assert r.status_code == 201, r.get_json()
        r = client.post(f"/api/v1/enrolments/{r.get_json()['id']}/completion", headers=staff)
        assert r.status_code == 200


def _level_3a_group(client, p, org_id, **fields):
    """`p` registers a Level 3A group of 6 parents on Foundation A part 1 starting today (any of
    those `fields` overridden); the response."""
    body = {
        "organisation_id": org_id,
        "lead_person_id": p["id"],
        "course_code": "foundation_a1",
        "audience": "parents",
        "starts_on": date.today().isoformat(),
        "participants_count": 6,
        **fields,
    }
    return client.post("/api/v1/lead-professionals/level-3a-groups", headers=p["headers"], json=body)
