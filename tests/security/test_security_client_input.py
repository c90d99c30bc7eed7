"""What no service accepts (security review L4), checked once in the shared request parsing:
deeply nested JSON, lone surrogates and NUL bytes in any JSON string or key and in query
parameters are 400 problem+json naming the field, on the gateway, training and cic-tracker,
on SQLite and PostgreSQL. And (L11) responses carrying tokens or personal data say no-store."""

from __future__ import annotations

import pytest

from support.three_apps import KEYS, three_apps

# made at import, used until the end of a long `make test`: a lifetime beyond the whole run
LEARNER = KEYS.headers(
    user_id="input-learner", email="input-learner@example.org", roles=["learner"], ttl=6 * 3600
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def apps(request, tmp_path_factory):
    with three_apps(request.param, tmp_path_factory.mktemp("input")) as apps:
        yield apps


# (app, path, a valid body whose "name"-like field is replaced, that field, headers)
TARGETS = [
    (
        "gateway",
        "/api/v1/auth/register",
        {"email": "in@example.org", "password": "Plenty-long-passphrase-1", "name": "x"},
        "name",
        {},
    ),
    (
        "training",
        "/api/v1/interest",
        {"element": "schools", "name": "x", "email": "in@example.org"},
        "name",
        {},
    ),
    ("cic", "/api/v1/consultations", {"for_kind": "family", "purpose": "x"}, "purpose", LEARNER),
]
IDS = [t[0] for t in TARGETS]


def assert_400(r, field):
    assert r.status_code == 400, r.get_data(as_text=True)[:500]
    assert r.headers["Content-Type"] == "application/problem+json"
    assert field in r.get_json()["errors"], r.get_json()


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_deeply_nested_json_is_400(apps, target):
    name, path, body, field, headers = target
    c = apps[name].test_client()
    assert_400(c.post(path, data="[" * 60000, content_type="application/json", headers=headers), "body")
    assert_400(
        c.post(
            path, data='{"a":' * 20000 + "1" + "}" * 20000, content_type="application/json", headers=headers
        ),
        "body",
    )
    nested = "[" * 40 + "]" * 40  # parses, but deeper than any request needs
    raw = f'{{"{field}": {nested}}}'
    assert_400(c.post(path, data=raw, content_type="application/json", headers=headers), field)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
@pytest.mark.parametrize("bad", ["a\\ud800b", "a\\udfffb", "a\\u0000b"], ids=["high", "low", "nul"])
def test_lone_surrogates_and_nul_in_any_string_are_400_naming_the_field(apps, target, bad):
    import json

    name, path, body, field, headers = target
    c = apps[name].test_client()
    raw = json.dumps({**body, field: "PLACEHOLDER"}).replace("PLACEHOLDER", bad)
    assert_400(c.post(path, data=raw, content_type="application/json", headers=headers), field)
    # in a key too, and nested
    raw = json.dumps({**body, "extra": {"k": ["PLACEHOLDER"]}}).replace("PLACEHOLDER", bad)
    assert_400(c.post(path, data=raw, content_type="application/json", headers=headers), "extra.k.0")
    raw = json.dumps({**body, "PLACEHOLDER": 1}).replace("PLACEHOLDER", bad)
    r = c.post(path, data=raw, content_type="application/json", headers=headers)
    assert r.status_code == 400


@pytest.mark.parametrize(
    "name,path",
    [("gateway", "/api/v1/directory"), ("training", "/api/v1/directory"), ("cic", "/api/v1/fund/rounds")],
)
def test_nul_in_a_query_parameter_is_400(apps, name, path):
    c = apps[name].test_client()
    assert_400(c.get(path + "?q=a%00b", headers=LEARNER), "q")
    assert_400(c.get(path + "?page=1%00", headers=LEARNER), "page")


def test_a_valid_request_still_passes(apps):
    c = apps["training"].test_client()
    r = c.post(
        "/api/v1/interest", json={"element": "schools", "name": "Zoë – ok ✓", "email": "ok@example.org"}
    )
    assert r.status_code == 201


# -- L11: no-store on responses with tokens or personal data; nosniff everywhere ----------------


def test_gateway_auth_responses_are_never_stored(apps):
    c = apps["gateway"].test_client()
    r = c.post(
        "/api/v1/auth/register",
        json={"email": "store@example.org", "password": "Plenty-long-passphrase-1", "name": "Store"},
    )
    assert r.status_code == 201
    login = c.post(
        "/api/v1/auth/login", json={"email": "store@example.org", "password": "Plenty-long-passphrase-1"}
    )
    token = login.get_json()["access_token"]
    me = c.get("/api/v1/me", headers={"Authorization": "Bearer " + token})
    refused = c.post("/api/v1/auth/login", json={"email": "store@example.org", "password": "wrong-wrong-1"})
    for resp in (r, login, me, refused):
        assert "no-store" in resp.headers["Cache-Control"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_service_responses_to_signed_in_requests_are_never_stored(apps):
    for name, path in (
        ("training", "/api/v1/catalogue/courses"),
        ("cic", "/api/v1/tracker/microprojects"),
        ("cic", "/api/v1/fund/rounds"),
    ):
        r = apps[name].test_client().get(path, headers=LEARNER)
        assert r.status_code == 200, (name, path, r.status_code)
        assert "no-store" in r.headers["Cache-Control"], (name, path)
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_public_reads_without_a_token_stay_cacheable(apps):
    r = apps["training"].test_client().get("/api/v1/catalogue/courses")
    assert r.status_code == 200
    assert "no-store" not in (r.headers.get("Cache-Control") or "")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
