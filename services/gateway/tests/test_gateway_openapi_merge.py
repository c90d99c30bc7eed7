"""The merged OpenAPI document says of every service path exactly what that service's own
document says, even where both services use one component name for different schemas
(`ApplicationIn` is a Lead Professional application in training and a fund application in
cic-tracker). Built from the real documents of the three apps."""

import pytest

from gateway.api.openapi import merge


def _doc(factory, tmp_path, **config):
    app = factory(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "x.db"),
            "ACCESS_LOG": False,
            **config,
        }
    )
    return app.test_client().get("/openapi.json").get_json()


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    from cic_tracker import create_app as cic_app
    from gateway import create_app as gateway_app
    from support import testing as t
    from training import create_app as training_app

    keys = t.KeyPair()
    tmp = tmp_path_factory.mktemp("docs")
    common = {"JWT_PUBLIC_KEY": keys.public, "EVENTS_EMBEDDED_PATH": str(tmp / "events.db")}
    gateway = gateway_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp / "gw.db"),
            "JWT_PRIVATE_KEY_FILE": str(tmp / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(tmp / "public.pem"),
            "ACCESS_LOG": False,
        }
    )
    own = gateway.extensions["imatter_api"].spec.to_dict()
    (tmp / "t").mkdir()
    (tmp / "c").mkdir()
    return own, {
        "training": _doc(training_app, tmp / "t", **common),
        "cic-tracker": _doc(cic_app, tmp / "c", **common),
    }


def _resolve(doc, node, seen=()):
    if isinstance(node, list):
        return [_resolve(doc, x, seen) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        assert ref not in seen, f"cyclic {ref}"
        _, _, kind, name = ref.split("/")
        assert name in doc["components"][kind], f"dangling {ref}"
        return _resolve(doc, doc["components"][kind][name], seen + (ref,))
    return {k: _resolve(doc, v, seen) for k, v in node.items()}


def test_the_services_share_component_names_for_different_schemas(documents):
    _, docs = documents
    t, c = (docs[s]["components"]["schemas"] for s in ("training", "cic-tracker"))
    assert [n for n in set(t) & set(c) if t[n] != c[n]], "the case this merge exists for"


def test_every_merged_path_says_what_its_owner_says(documents):
    own, docs = documents
    merged = merge(own, docs)
    owned = 0
    for doc in docs.values():
        for path, item in doc["paths"].items():
            if path not in merged["paths"]:
                continue
            owned += 1
            assert _resolve(merged, merged["paths"][path]) == _resolve(doc, item), path
    assert owned > 50
    for path, item in own["paths"].items():
        assert _resolve(merged, merged["paths"][path]) == _resolve(own, item), path


def test_the_fund_application_body_is_the_funds(documents):
    own, docs = documents
    merged = merge(own, docs)
    body = merged["paths"]["/api/v1/fund/applications"]["post"]["requestBody"]["content"]["application/json"]
    assert "package_type" in _resolve(merged, body["schema"])["properties"]
    lead = merged["paths"]["/api/v1/lead-professionals/applications"]["post"]["requestBody"]["content"]
    assert "references" in _resolve(merged, lead["application/json"]["schema"])["properties"]
