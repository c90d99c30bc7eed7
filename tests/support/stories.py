"""Steps shared by whole-system tests: the usual way to a practitioner with a package, and the
checks that a marker never reached a place it must not."""

from __future__ import annotations

import os

SCHOOL = {
    "name": "Fictional Rowan Primary",
    "kind": "school",
    "size_band": "small",
    "link_contact_email": "link@rowan.example",
    "senior_leadership_commitment": True,
}


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
    invitation = ok(
        admin.post(
            f"/api/v1/organisations/{org['id']}/members", {"person_id": person["id"], "role": "teacher"}
        )
    )
    assert invitation["state"] == "invited", invitation
    assert ok(pro.post(f"/api/v1/memberships/{invitation['id']}/accept"), 200)["state"] == "active"
    ok(admin.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "starter"}))
    ok(pro.post(f"/api/v1/people/{person['id']}/pathways/lead/items", {"item": "deep_dive"}))
    ok(
        admin.post(
            f"/api/v1/people/{person['id']}/pathways/lead/items",
            {"item": "lead_training", "organisation_id": org["id"]},
        )
    )
    ok(admin.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "enhanced"}))
    package = ok(
        admin.post(
            f"/api/v1/organisations/{org['id']}/packages",
            {"type": 3, "practitioner_id": person["id"], "funding": "organisation"},
        )
    )
    return admin, pro, org, person, package


def files_under(root: str):
    for base, _dirs, names in os.walk(root):
        for name in names:
            yield os.path.join(base, name)


def holds(path: str, marker: str) -> bool:
    with open(path, "rb") as fh:
        return marker.encode() in fh.read()


# ---- the whole journeys (tests/e2e/test_e2e_stories.py) -------------------------------------


def own_person(client, name: str, kind: str = "professional") -> dict:
    """The person record of a signed-up (verified) account, made by that account."""
    return ok(client.post("/api/v1/people", {"name": name, "email": client.email, "kind": kind}))


def joins(org_admin, member, org: dict, person: dict, role: str = "teacher") -> dict:
    """Membership by consent: the organisation's admin invites, the person accepts."""
    invitation = ok(
        org_admin.post(
            f"/api/v1/organisations/{org['id']}/members", {"person_id": person["id"], "role": role}
        )
    )
    assert invitation["state"] == "invited", invitation
    accepted = ok(member.post(f"/api/v1/memberships/{invitation['id']}/accept"), 200)
    assert accepted["state"] == "active", accepted
    return accepted


def recognised(api, training_admin, name: str, role: str) -> tuple:
    """One of I Matter Training's own team (or an organisation's practitioner) certified outside
    the system: signs up, makes their person, and a training admin records the certification."""
    client = api.signed_up(name=name)
    person = own_person(client, name)
    cert = ok(
        training_admin.post(
            f"/api/v1/people/{person['id']}/certifications",
            {"role": role, "reason": "Certified before the platform (records held)"},
        )
    )
    assert cert["basis"] == "recognised" and cert["role"] == role, cert
    return client, person


def l1_2_completed(pro, training_admin, person: dict) -> None:
    """Every L1-2 course of the catalogue, self-funded by the learner, completed by a training
    admin (never the learner); Foundation A part 1 before Foundation B."""
    courses = ok(pro.get("/api/v1/catalogue/courses"), 200)
    courses = courses["items"] if isinstance(courses, dict) else courses
    codes = [c["code"] for c in courses if c["level"] in (1, 2) and c["kind"] == "online_course"]
    assert {"foundation_a1", "foundation_b"} <= set(codes), codes
    # Foundation B before part 1 is completed: refused, naming the rule
    r = pro.post(
        "/api/v1/enrolments", {"person_id": person["id"], "course_code": "foundation_b", "funding": "self"}
    )
    assert r.status_code == 409 and "foundation_a1" in r.json()["unmet"], r.text
    for code in codes:
        e = ok(
            pro.post(
                "/api/v1/enrolments", {"person_id": person["id"], "course_code": code, "funding": "self"}
            )
        )
        assert pro.post(f"/api/v1/enrolments/{e['id']}/completion").status_code == 403  # never the learner
        assert (
            ok(training_admin.post(f"/api/v1/enrolments/{e['id']}/completion"), 200)["state"] == "completed"
        )


def booked_and_completed(training_admin, booker, person: dict, role: str, item: str, **body) -> dict:
    """A pathway item booked (by the person, funding self, or by their organisation's admin) and
    then completed by a training admin."""
    booking = ok(booker.post(f"/api/v1/people/{person['id']}/pathways/{role}/items", {"item": item, **body}))
    assert booking["state"] == "booked", booking
    done = ok(training_admin.post(f"/api/v1/pathway-items/{booking['id']}/completion"), 200)
    assert done["state"] == "completed", done
    return done


def requirement_status(client, person: dict, role: str) -> dict:
    p = ok(client.get(f"/api/v1/people/{person['id']}/pathways/{role}"), 200)
    return {r["code"]: r["status"] for r in p["requirements"]}


def workspace_of(client, package: dict) -> dict:
    """The cic-tracker microproject opened by `training.package.purchased` (crosses the event
    boundary: waited for, never timed)."""
    from support.api_client import wait_for

    def seen():
        items = client.get("/api/v1/tracker/microprojects?per_page=100").json().get("items", [])
        return next((m for m in items if m["package_id"] == package["id"]), None)

    return wait_for(seen, what=f"the workspace of package {package['id']}")


def certified_roles(client, person: dict) -> set:
    body = ok(client.get(f"/api/v1/people/{person['id']}/certifications"), 200)
    items = body["items"] if isinstance(body, dict) else body
    return {c["role"] for c in items if c.get("status", "current") == "current"}


def portal_pages(base_url: str, email: str, password: str, *paths: str) -> list[str]:
    """The HTML of portal pages as the person sees them after signing in with their password.
    The session cookie is `Secure` (`__Host-`) and the stack is plain http on loopback, so it is
    carried by hand, as a browser treating localhost as a secure context would."""
    import re

    import requests

    http, jar = requests.Session(), {}
    http.trust_env = False

    def call(method, path, **kw):
        r = http.request(method, base_url + path, cookies=jar, allow_redirects=False, timeout=30, **kw)
        jar.update(r.cookies.get_dict())
        return r

    page = call("GET", "/sign-in", headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = call("POST", "/sign-in", data={"csrf_token": token, "email": email, "password": password})
    assert r.status_code == 302, r.text[:2000]
    out = []
    for path in paths:
        r = call("GET", path, headers={"Accept": "text/html"})
        assert r.status_code == 200, (path, r.status_code)
        out.append(r.text)
    return out
