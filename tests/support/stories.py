"""Steps shared by whole-system tests: the usual way to a practitioner with a package, and the
checks that a marker never reached a place it must not."""
from __future__ import annotations

import os

SCHOOL = {"name": "Fictional Rowan Primary", "kind": "school", "size_band": "small",
          "link_contact_email": "link@rowan.example", "senior_leadership_commitment": True}


def ok(r, status: int = 201):
    """The JSON body of a response that must have the given status."""
    assert r.status_code == status, r.text
    return r.json()


def practitioner_with_package(api, org_body: dict | None = None, names=("Ada Admin", "Robin Practitioner")):
    """A school with Starter and Enhanced licences and a Lead trainee holding a Type 3 package,
    all bought through the API. Returns (admin client, practitioner client, org, person, package)."""
    admin, pro = api.signed_up(name=names[0]), api.signed_up(name=names[1])
    org = ok(admin.post("/api/v1/organisations", org_body or SCHOOL))
    person = ok(pro.post("/api/v1/people", {"name": names[1], "email": pro.email, "kind": "professional"}))
    # membership by consent: the admin invites, the practitioner (signed up, verified) accepts
    invitation = ok(admin.post(f"/api/v1/organisations/{org['id']}/members", {"person_id": person["id"], "role": "teacher"}))
    assert invitation["state"] == "invited", invitation
    assert ok(pro.post(f"/api/v1/memberships/{invitation['id']}/accept"), 200)["state"] == "active"
    ok(admin.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "starter"}))
    ok(pro.post(f"/api/v1/people/{person['id']}/pathways/lead/items", {"item": "deep_dive"}))
    ok(admin.post(f"/api/v1/people/{person['id']}/pathways/lead/items",
                  {"item": "lead_training", "organisation_id": org["id"]}))
    ok(admin.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "enhanced"}))
    package = ok(admin.post(f"/api/v1/organisations/{org['id']}/packages",
                            {"type": 3, "practitioner_id": person["id"], "funding": "organisation"}))
    return admin, pro, org, person, package


def files_under(root: str):
    for base, _dirs, names in os.walk(root):
        for name in names:
            yield os.path.join(base, name)


def holds(path: str, marker: str) -> bool:
    with open(path, "rb") as fh:
        return marker.encode() in fh.read()
