"""The OpenAPI documents as a product (issue 19): each service's document and the merged one the
gateway serves validate (openapi-spec-validator); every operation has a unique operationId, a
security requirement and its documented problem+json errors; what is documented public answers
without a token and what is documented secured does not succeed without one; /api/docs lists
every operation. The real three apps, training and cic-tracker served on loopback ports."""

from __future__ import annotations

import re
import threading

import pytest
from openapi_spec_validator import validate
from werkzeug.serving import make_server

from gateway.api.openapi import merge
from support import testing as t
from support.portal import HTML

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    from cic_tracker import create_app as cic_app
    from gateway import create_app as gateway_app
    from training import create_app as training_app

    keys = t.KeyPair()
    tmp = tmp_path_factory.mktemp("openapi-product")
    common = {"TESTING": True, "ACCESS_LOG": False, "JWT_PUBLIC_KEY": keys.public}
    made = {
        "training": training_app(
            {
                **common,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/t.db",
                "EVENTS_EMBEDDED_PATH": f"{tmp}/te.db",
            }
        ),
        "cic-tracker": cic_app(
            {
                **common,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/c.db",
                "EVENTS_EMBEDDED_PATH": f"{tmp}/ce.db",
            }
        ),
    }
    servers = []
    for app in made.values():
        with app.app_context():
            app.extensions["sqlalchemy"].create_all()
        servers.append(make_server("127.0.0.1", 0, app, threaded=True))
        threading.Thread(target=servers[-1].serve_forever, daemon=True).start()
    made["gateway"] = gateway_app(
        {
            "TESTING": True,
            "ACCESS_LOG": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/g.db",
            "JWT_PRIVATE_KEY_FILE": str(tmp / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(tmp / "public.pem"),
            "TRAINING_URL": f"http://127.0.0.1:{servers[0].server_port}",
            "CIC_URL": f"http://127.0.0.1:{servers[1].server_port}",
        }
    )
    with made["gateway"].app_context():
        made["gateway"].extensions["sqlalchemy"].create_all()
    yield made
    for server in servers:
        server.shutdown()
    for app in made.values():
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture(scope="module")
def documents(apps):
    return {name: app.test_client().get("/openapi.json").get_json() for name, app in apps.items()}


@pytest.fixture(scope="module")
def served(apps):
    """The merged document exactly as the gateway serves it."""
    r = apps["gateway"].test_client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["x-services-missing"] == []
    return doc


def _operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_each_service_document_and_the_merged_one_validate(documents, served):
    for doc in documents.values():
        validate(doc)  # raises on the first error, naming it
    validate(served)
    own = documents["gateway"]
    validate(merge(own, {"training": documents["training"], "cic-tracker": documents["cic-tracker"]}))


def test_tags_are_merged_by_name(documents, served):
    names = [tag["name"] for tag in served["tags"]]
    assert len(names) == len(set(names))
    both = {tag["name"] for tag in documents["training"]["tags"]} & {
        tag["name"] for tag in documents["cic-tracker"]["tags"]
    }
    assert "reflective" in both  # the case that made the merged document invalid


def _problem_response(doc, response):
    name = response["$ref"].rsplit("/", 1)[-1]
    content = doc["components"]["responses"][name]["content"]
    assert list(content) == ["application/problem+json"]
    return content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


@pytest.mark.parametrize("which", ["training", "cic-tracker", "gateway", "merged"])
def test_every_operation_has_an_operation_id_security_and_its_error_responses(documents, served, which):
    doc = served if which == "merged" else documents[which]
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    ids = []
    for path, method, op in _operations(doc):
        where = f"{method.upper()} {path}"
        assert re.fullmatch(r"[a-z][a-z0-9_]*", op.get("operationId", "")), where
        ids.append(op["operationId"])
        assert op.get("security") in ([], [{"bearerAuth": []}]), where
        responses = op["responses"]
        wanted = {"400"}
        if op["security"]:
            wanted |= {"401", "403"}
        if "{" in path:
            wanted.add("404")
        assert wanted <= set(responses), (where, sorted(responses))
        for code in wanted:
            assert "$ref" not in responses[code] or _problem_response(doc, responses[code]), (where, code)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert len(ids) >= 5


def _call(client, path, method):
    url = re.sub(r"\{[^}]+\}", "1", path)  # `1` fits both string and int path converters
    return client.open(url, method=method.upper(), json=None if method == "get" else {})


def test_what_is_documented_public_answers_without_a_token(apps, documents):
    public = 0
    for name in ("training", "cic-tracker", "gateway"):
        client = apps[name].test_client()
        for path, method, op in _operations(documents[name]):
            if op["security"] != [] or "401" in op["responses"]:  # a signed webhook has its own 401
                continue
            public += 1
            r = _call(client, path, method)
            assert r.status_code != 401, (name, method, path, r.get_json())
            assert r.status_code < 500 or r.status_code == 503, (name, method, path)
    assert public >= 20  # catalogue, reference lists, directory, interest, sign-up, sign-in, reset


def test_what_is_documented_secured_does_not_succeed_without_a_token(apps, documents):
    secured = 0
    for name in ("training", "cic-tracker", "gateway"):
        client = apps[name].test_client()
        for path, method, op in _operations(documents[name]):
            if op["security"] == []:
                continue
            secured += 1
            r = _call(client, path, method)
            assert r.status_code >= 400, (name, method, path, r.status_code)
            if method == "get" and "{" not in path and not op.get("parameters"):
                assert r.status_code == 401, (name, method, path, r.status_code)
    assert secured >= 100


def test_the_api_reference_page_lists_every_operation(apps, served):
    client = apps["gateway"].test_client()
    r = client.get("/api/docs", headers=HTML)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for _path, _method, op in _operations(served):
        assert f'id="op-{op["operationId"]}"' in html, op["operationId"]
    courses = re.search(r'id="op-training_catalogue_courses".*?</div>', html, re.S).group(0)
    assert "GET /api/v1/catalogue/courses" in courses and "Public" in courses
    me = re.search(r'id="op-gateway_auth_me".*?</div>', html, re.S).group(0)
    assert "Bearer token" in me
    assert "<script" not in html.split("</header>")[-1]  # rendered here: nothing for a browser to fetch
    assert 'href="/api/docs"' in client.get("/", headers=HTML).get_data(as_text=True)  # the footer link
