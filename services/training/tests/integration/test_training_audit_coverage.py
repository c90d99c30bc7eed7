"""The audit trail covers a person's learning records, not only the person: reads of their
pathways, certifications, enrolments, orders and invoices, and changes by bookings and
completions. Rows hold ids only."""

import uuid


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles)), uid


def _trail(client, staff, **query):
    r = client.get("/api/v1/training/audit", query_string={"per_page": 100, **query}, headers=staff)
    assert r.status_code == 200
    return r.get_json()["items"]


def _has(items, action, record_type, record_id, user_id):
    return any(
        (i["action"], i["record_type"], i["record_id"], i["user_id"])
        == (action, record_type, record_id, user_id)
        for i in items
    )


def test_reads_and_changes_of_learning_records_are_recorded(client, keys):
    me = uuid.uuid4().hex
    admin = keys.headers(user_id=me, email="ash@audit.example")  # the learner themself (self-funded)
    staff, staff_id = _user(keys, roles=("training_admin",))
    person = client.post(
        "/api/v1/people",
        headers=admin,
        json={"name": "Ash Fictional-Learner", "email": "ash@audit.example", "kind": "professional"},
    ).get_json()
    pid = person["id"]

    booked = client.post(
        f"/api/v1/people/{pid}/pathways/informed/items",
        headers=admin,
        json={"item": "study_support", "funding": "self"},
    )
    assert booked.status_code == 201, booked.get_json()
    item = booked.get_json()
    assert client.post(f"/api/v1/pathway-items/{item['id']}/completion", headers=staff).status_code == 200
    enrolled = client.post(
        "/api/v1/enrolments",
        headers=admin,
        json={"person_id": pid, "course_code": "intermediate_a", "funding": "self"},
    )
    assert enrolled.status_code == 201, enrolled.get_json()
    enrolment = enrolled.get_json()
    order_id = item["order"]["id"]
    invoice_id = item["order"]["invoice"]["id"]

    for url in (
        f"/api/v1/people/{pid}/pathways/informed",
        f"/api/v1/people/{pid}/certifications",
        f"/api/v1/people/{pid}/enrolments",
        f"/api/v1/enrolments/{enrolment['id']}",
        f"/api/v1/orders/{order_id}",
        f"/api/v1/invoices/{invoice_id}",
    ):
        assert client.get(url, headers=admin).status_code == 200, url

    items = _trail(client, staff)
    assert _has(items, "change", "pathway_item", item["id"], me)  # the booking
    assert _has(items, "change", "pathway_item", item["id"], staff_id)  # the completion
    assert _has(items, "change", "enrolment", enrolment["id"], me)
    assert _has(items, "read", "pathways", pid, me)
    assert _has(items, "read", "certifications", pid, me)
    assert _has(items, "read", "enrolments", pid, me)
    assert _has(items, "read", "enrolment", enrolment["id"], me)
    assert _has(items, "read", "order", order_id, me)
    assert _has(items, "read", "invoice", invoice_id, me)
    body = client.get("/api/v1/training/audit?per_page=100", headers=staff).get_data(as_text=True)
    assert "ash@audit.example" not in body and "Ash Fictional" not in body  # ids only


def test_a_refused_read_of_someones_pathway_is_recorded_not_answered(client, keys):
    (owner, _), (stranger, _), (staff, _) = _user(keys), _user(keys), _user(keys, roles=("training_admin",))
    pid = client.post(
        "/api/v1/people",
        headers=owner,
        json={"name": "Bea Fictional", "email": "bea@audit.example", "kind": "personal"},
    ).get_json()["id"]
    assert client.get(f"/api/v1/people/{pid}/certifications", headers=stranger).status_code == 404
    items = _trail(client, staff, record_id=pid)
    assert [i["action"] for i in items if i["record_type"] == "person"].count("refused") == 1
    assert not any(i["action"] == "read" and i["record_type"] == "certifications" for i in items)
