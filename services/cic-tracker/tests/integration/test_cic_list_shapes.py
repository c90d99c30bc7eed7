"""The cic-tracker OpenAPI document tells the truth about its answers, and every list is
`{items, total, page, per_page}` honouring `?page=&per_page=` (above 100 read as 100, below 1 a
400). Operations come from the service's own document, so an endpoint added later is walked
too; every answer met on the way is checked against the schema the document declares."""

import re

import jsonschema_rs  # schemathesis's validator (requirements-dev.in)
import pytest

PAGE_KEYS = {"items", "total", "page", "per_page"}
Q_ANSWERS = {
    "me_rest": 1,
    "me_notice": 2,
    "me_overwhelmed": 3,
    "rel_listen": 4,
    "rel_repair": 3,
    "rel_consistent": 2,
    "dev_needs": 1,
    "dev_behaviour": 2,
    "sup_ask": 0,
    "sup_share": 1,
}


def _json_schema(spec, node):
    """OpenAPI 3.0 schema -> JSON Schema: inline $refs, `nullable` as a null type."""
    if isinstance(node, list):
        return [_json_schema(spec, x) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(spec, spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]])
    out = {k: _json_schema(spec, v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        out = {**out, "type": [out["type"], "null"]} if "type" in out else {"anyOf": [out, {"type": "null"}]}
    return out


class Documented:
    def __init__(self, client):
        self.spec = client.get("/openapi.json").get_json()

    def schema(self, path, method, status):
        content = self.spec["paths"][path][method]["responses"].get(str(status), {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return _json_schema(self.spec, schema) if schema else None

    def check(self, path, method, response):
        """The answer matches its documented schema (and a schema is documented)."""
        schema = self.schema(path, method, response.status_code)
        assert schema is not None, f"{method.upper()} {path} {response.status_code} has no documented schema"
        errors = list(jsonschema_rs.Draft7Validator(schema).iter_errors(response.get_json()))
        assert not errors, f"{method.upper()} {path}: " + "; ".join(
            f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in errors[:5]
        )
        return response.get_json()


@pytest.fixture
def world(client, cic, consent, db):
    """A microproject with a case, assessments, a goal, a reflection, a formal Q; consultations,
    hubs, a decided fund application, gifts: every list has two entries where it can."""
    doc = Documented(client)
    staff = cic.staff("cic_staff", "fund_reviewer")
    person, practitioner = cic.person(organisation_id="org-walk")
    cic.feed(
        "training.licence.changed",
        {
            "organisation_id": "org-walk",
            "licence_type": "enhanced",
            "status": "active",
            "valid_until": "2099-12-31T00:00:00Z",
        },
    )
    mp_ids = [cic.package(person, organisation_id="org-walk") for _ in range(2)]
    base = "/api/v1/tracker"
    case = doc.check(
        base + "/microprojects/{mp_id}/cases",
        "post",
        client.post(
            f"{base}/microprojects/{mp_ids[0]}/cases",
            json={"code": "W-1", "consent": consent},
            headers=practitioner,
        ),
    )
    for kind, scores in (("baseline", {"communication": 3}), ("follow_up", {"communication": 6})):
        doc.check(
            base + "/cases/{case_id}/assessments",
            "post",
            client.post(
                f"{base}/cases/{case['id']}/assessments",
                json={"kind": kind, "scores": scores},
                headers=practitioner,
            ),
        )
    goal = doc.check(
        base + "/cases/{case_id}/goals",
        "post",
        client.post(
            f"{base}/cases/{case['id']}/goals", json={"text": "Fictional goal"}, headers=practitioner
        ),
    )
    doc.check(
        base + "/cases/{case_id}/goals/{goal_id}",
        "patch",
        client.patch(
            f"{base}/cases/{case['id']}/goals/{goal['id']}", json={"status": "achieved"}, headers=practitioner
        ),
    )
    doc.check(
        base + "/cases/{case_id}/reflections",
        "post",
        client.post(
            f"{base}/cases/{case['id']}/reflections",
            json={"text": "Fictional reflection"},
            headers=practitioner,
        ),
    )
    from cic_tracker.services.reflective import load_samples

    load_samples()  # the SAMPLE questionnaire content
    db.session.commit()
    for _ in range(2):
        doc.check(
            "/api/v1/cic/cases/{case_id}/q-responses",
            "post",
            client.post(
                f"/api/v1/cic/cases/{case['id']}/q-responses",
                json={"answers": Q_ANSWERS},
                headers=practitioner,
            ),
        )
    doc.check(
        "/api/v1/tracker/areas",
        "post",
        client.post(
            "/api/v1/tracker/areas", json={"code": "walk_area", "label": "Walk (sample area)"}, headers=staff
        ),
    )

    hubs = [
        doc.check(
            "/api/v1/hubs",
            "post",
            client.post("/api/v1/hubs", json={"name": f"Fictional hub {i}"}, headers=staff),
        )
        for i in range(2)
    ]
    for purpose in ("Plan", "Review"):
        c = doc.check(
            "/api/v1/consultations",
            "post",
            client.post(
                "/api/v1/consultations", json={"for_kind": "family", "purpose": purpose}, headers=practitioner
            ),
        )
    apps = [
        doc.check(
            "/api/v1/fund/applications",
            "post",
            client.post(
                "/api/v1/fund/applications",
                json={
                    "practitioner_id": person,
                    "organisation_id": "org-walk",
                    "package_type": 2,
                    "summary": f"Fictional {i}",
                },
                headers=practitioner,
            ),
        )
        for i in range(2)
    ]
    doc.check(
        "/api/v1/fund/applications/{app_id}/reviews",
        "post",
        client.post(
            f"/api/v1/fund/applications/{apps[0]['id']}/reviews",
            json={"score": 4, "no_conflict": True},
            headers=staff,
        ),
    )
    cic.reviewed(client, apps[0]["id"], reviewers=1)  # an award needs two independent reviews
    cic.funded(client, 30000)  # ... and received gifts covering it
    doc.check(
        "/api/v1/fund/rounds/{round_id}/close",
        "post",
        client.post(f"/api/v1/fund/rounds/{apps[0]['round_id']}/close", headers=staff),
    )
    doc.check(
        "/api/v1/fund/applications/{app_id}/decision",
        "post",
        client.post(
            f"/api/v1/fund/applications/{apps[0]['id']}/decision", json={"outcome": "awarded"}, headers=staff
        ),
    )
    gifts = [
        doc.check(
            "/api/v1/fund/gifts",
            "post",
            client.post("/api/v1/fund/gifts", json={"amount": 500 + i}, headers=staff),
        )
        for i in range(2)
    ]
    doc.check(
        "/api/v1/fund/gifts/{gift_id}/received",
        "post",
        client.post(
            f"/api/v1/fund/gifts/{gifts[0]['id']}/received",
            json={"reference": "Fictional ref"},
            headers=staff,
        ),
    )
    doc.check(
        "/api/v1/fund/gifts/{gift_id}/void",
        "post",
        client.post(f"/api/v1/fund/gifts/{gifts[1]['id']}/void", headers=staff),
    )
    values = {
        "mp_id": mp_ids[0],
        "case_id": case["id"],
        "cid": c["id"],
        "hub_id": hubs[0]["id"],
        "round_id": apps[0]["round_id"],
        "app_id": apps[0]["id"],
        "instrument": "imatter_q",
        "gift_id": gifts[0]["id"],
    }
    return {"doc": doc, "staff": staff, "practitioner": practitioner, "values": values}


def test_every_get_matches_its_schema_and_every_list_pages(client, world):
    doc, staff, values = world["doc"], world["staff"], world["values"]
    lists, checked = [], []
    for path, ops in sorted(doc.spec["paths"].items()):
        op = ops.get("get")
        if op is None:
            continue
        query = {
            p["name"] for p in op.get("parameters", []) + ops.get("parameters", []) if p["in"] == "query"
        }
        url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
        # case content is the practitioner's (and assigned overseer's) alone: CIC staff get 404
        headers = world["practitioner"] if "/cases/{case_id}" in path else staff
        r = client.get(url, headers=headers)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.get_data(as_text=True)[:200]}"
        if "text/csv" in ops["get"]["responses"]["200"].get("content", {}):  # a download, not JSON
            assert r.mimetype == "text/csv", path
            continue
        if doc.schema(path, "get", 200) is None:
            assert path == "/api/v1/cic/notification-preferences", f"GET {path} documents no answer"
            continue
        body = doc.check(path, "get", r)
        checked.append(path)
        if "per_page" not in query:
            assert not (isinstance(body, dict) and PAGE_KEYS <= set(body)), f"{path} is a list without paging"
            assert not isinstance(body, list), f"{path} answers a bare JSON array"
            continue
        lists.append(path)
        full = doc.check(path, "get", client.get(url, query_string={"per_page": 100}, headers=headers))
        assert set(full) == PAGE_KEYS and full["page"] == 1 and full["per_page"] == 100, path
        assert len(full["items"]) == min(full["total"], 100), path
        one = client.get(url, query_string={"per_page": 1}, headers=headers).get_json()
        assert (
            one["per_page"] == 1
            and one["total"] == full["total"]
            and len(one["items"]) == min(1, full["total"])
        ), path
        if full["total"] >= 2:
            second = client.get(url, query_string={"per_page": 1, "page": 2}, headers=headers).get_json()
            assert second["page"] == 2 and second["items"] == full["items"][1:2], path
        clamped = client.get(url, query_string={"per_page": 500}, headers=headers)
        assert clamped.status_code == 200 and clamped.get_json()["per_page"] == 100, path
        assert client.get(url, query_string={"per_page": 0}, headers=headers).status_code == 400, path

    for must in (
        "/api/v1/tracker/microprojects",
        "/api/v1/fund/rounds",
        "/api/v1/hubs",
        "/api/v1/consultations",
        "/api/v1/fund/applications",
        "/api/v1/tracker/areas",
        "/api/v1/cic/audit",
        "/api/v1/cic/cases/{case_id}/q-responses",
    ):
        assert must in lists, must
    for must in (
        "/api/v1/evaluation/summary",
        "/api/v1/fund/ledger",
        "/api/v1/tracker/cases/{case_id}",
        "/api/v1/tracker/cases/{case_id}/progress",
        "/api/v1/fund/rounds/{round_id}/summary",
    ):
        assert must in checked, must


def test_the_documented_page_schemas_are_pages(client):
    """Every list operation documents `{items: [...], total, page, per_page}` for its 200."""
    doc = Documented(client)
    for path, ops in doc.spec["paths"].items():
        op = ops.get("get")
        if op and any(p["name"] == "per_page" for p in op.get("parameters", [])):
            schema = doc.schema(path, "get", 200)
            assert schema is not None, path
            assert (
                PAGE_KEYS <= set(schema["properties"]) and schema["properties"]["items"]["type"] == "array"
            ), path
