"""Every list of the training API is `{items, total, page, per_page}` and honours `?page=&per_page=`
(per_page above 100 is read as 100; below 1 is a 400). The GET operations are taken from the
service's own OpenAPI document, so a list added later is walked too."""

import re
import uuid

import pytest

from training.models.lead_professionals import LeadProfessionalApplication

PAGE_KEYS = {"items", "total", "page", "per_page"}
# a resource that carries a paged list inside it (the fund, and its ledger entries)
NESTED_PAGES = {"/api/v1/bursaries/{organisation_id}": "entries"}


def _user(keys, roles=("learner",), email=None):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=email or f"{uid[:8]}@example.org", roles=list(roles))


@pytest.fixture
def world(client, keys, db, join):
    """A little of everything, so that every list has something to page through."""
    admin = _user(keys)
    staff = _user(keys, roles=("training_admin",))
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Alder School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@alder.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    for t in ("starter", "cpd"):
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": t}
            ).status_code
            == 201
        )
    people = [
        join(admin, org["id"], f"Fictional Walker {i}", email=f"walker{i}@alder.example") for i in range(2)
    ]
    pid = people[0]["id"]
    walker = people[0]["headers"]  # funding: self and the licence idea are the person's own
    for course in ("intermediate_a", "intermediate_b"):
        assert (
            client.post(
                "/api/v1/enrolments",
                headers=walker,
                json={
                    "person_id": pid,
                    "course_code": course,
                    "funding": "self",
                    "organisation_id": org["id"],
                },
            ).status_code
            == 201
        )
    booked = client.post(
        f"/api/v1/people/{pid}/pathways/informed/items",
        headers=walker,
        json={"item": "study_support", "funding": "self"},
    )
    assert booked.status_code == 201, booked.get_json()
    lic = client.post(
        "/api/v1/practitioner-licences",
        headers=walker,
        json={"person_id": pid, "idea": "A fictional garden club", "focus_areas": ["belonging"]},
    ).get_json()
    for i in range(2):
        assert (
            client.post(
                "/api/v1/interest",
                json={"element": "schools", "name": f"Fictional {i}", "email": f"i{i}@example.org"},
            ).status_code
            == 201
        )
    application = LeadProfessionalApplication(
        person_id=pid,
        organisation_id=org["id"],
        route="standard",
        references=[],
        senior_leadership_backing=True,
        state="applied",
        created_by="test",
    )
    db.session.add(application)
    db.session.commit()
    order = booked.get_json()["order"]
    org_licence = client.get(f"/api/v1/organisations/{org['id']}/licences", headers=admin).get_json()[
        "items"
    ][0]
    values = {
        "organisation_id": org["id"],
        "person_id": pid,
        "role": "informed",
        "order_id": order["id"],
        "invoice_id": order["invoice"]["id"],
        "licence_id": org_licence["id"],
        "number": "1",
        "application_id": application.id,
        "instrument": "imatter_q",
        "count": "1",
        "enrolment_id": client.get(f"/api/v1/people/{pid}/enrolments", headers=admin).get_json()["items"][0][
            "id"
        ],
    }
    return {"staff": staff, "values": values, "practitioner_licence_id": lic["id"]}


def _url(path, world):
    values = dict(world["values"])
    if path.startswith("/api/v1/practitioner-licences/"):
        values["licence_id"] = world["practitioner_licence_id"]
    missing = [n for n in re.findall(r"{(\w+)}", path) if n not in values]
    if missing:
        return None
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


def _get_operations(client):
    spec = client.get("/openapi.json").get_json()
    for path, ops in sorted(spec["paths"].items()):
        op = ops.get("get")
        if op is None:
            continue
        params = op.get("parameters", []) + ops.get("parameters", [])
        yield (
            path,
            {p["name"] for p in params if p["in"] == "query"},
            {p["name"] for p in params if p["in"] == "query" and p.get("required")},
        )


def _page(path, body):
    return body[NESTED_PAGES[path]] if path in NESTED_PAGES else body


def test_every_get_list_pages_the_same_way(client, world):
    staff, reached, lists = world["staff"], [], []
    for path, query, required in _get_operations(client):
        url = _url(path, world)
        if url is None:
            continue
        base = {name: world["values"][name] for name in required}
        r = client.get(url, query_string=base, headers=staff)
        if r.status_code != 200 or not r.is_json:
            assert "per_page" not in query, f"{path} is a list the walk could not read: {r.status_code}"
            continue
        reached.append(path)
        body = r.get_json()
        if "per_page" not in query:
            # a body that is a list (or a bare page) without paging parameters would escape the rule
            assert not isinstance(body, list), f"{path} answers a bare JSON array"
            assert not PAGE_KEYS <= set(body), f"{path} answers a list but takes no ?page=&per_page="
            continue
        lists.append(path)
        full = _page(path, client.get(url, query_string={**base, "per_page": 100}, headers=staff).get_json())
        assert set(full) == PAGE_KEYS, path
        assert full["page"] == 1 and full["per_page"] == 100, path
        assert len(full["items"]) == min(full["total"], 100), path

        one = _page(path, client.get(url, query_string={**base, "per_page": 1}, headers=staff).get_json())
        assert (
            one["per_page"] == 1
            and one["total"] == full["total"]
            and len(one["items"]) == min(1, full["total"])
        ), path
        if full["total"] >= 2:
            second = _page(
                path,
                client.get(url, query_string={**base, "per_page": 1, "page": 2}, headers=staff).get_json(),
            )
            assert second["page"] == 2 and second["items"] == full["items"][1:2], path

        clamped = client.get(url, query_string={**base, "per_page": 500}, headers=staff)
        assert clamped.status_code == 200 and _page(path, clamped.get_json())["per_page"] == 100, path
        assert client.get(url, query_string={**base, "per_page": 0}, headers=staff).status_code == 400, path
        assert client.get(url, query_string={**base, "page": 0}, headers=staff).status_code == 400, path

    # the walk must really have covered the lists, including those of this issue
    for must in (
        "/api/v1/organisations",
        "/api/v1/catalogue/courses",
        "/api/v1/pathway-items",
        "/api/v1/people/{person_id}/practitioner-licences",
        "/api/v1/lead-professionals/applications",
        "/api/v1/people/{person_id}/enrolments",
        "/api/v1/training/audit",
        "/api/v1/interest",
    ):
        assert must in lists, must
    assert len(lists) >= 20 and len(reached) > len(lists)
