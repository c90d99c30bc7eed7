"""GET /api/v1/openapi.json: the gateway's own document merged with each service's.

The merged document is cached per app and process for OPENAPI_CACHE_SECONDS (default 300) and
built again when that has passed or the services' addresses changed. A document merged while a
service could not answer (`x-services-missing` not empty) is never cached: the next request
tries that service again, so a service that was down at start-up appears once it answers.
"""

from __future__ import annotations

import copy
import json
import logging
import time

from flask import Blueprint, current_app, jsonify
from urllib3.exceptions import HTTPError

from .. import upstream
from ..upstream import ROUTES, SERVICES, base_url

log = logging.getLogger("imatter.gateway.openapi")
bp = Blueprint("openapi_merged", __name__)


def _refs(node) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_refs(v) for v in node.values()), {node["$ref"]} if "$ref" in node else set())
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


def _renamed(doc: dict, service: str, comps: dict) -> dict:
    """The service's document with each component whose name is already taken by a different
    one (both services have an `ApplicationIn`, say) renamed `<service>_<name>`, and its $refs
    with it, so no path of one service ends up pointing at the other's schema."""
    renames: dict[str, tuple[str, str, str]] = {}
    changed = True
    while changed:  # also rename a same-looking component that refers to a renamed one
        changed = False
        for kind, entries in (doc.get("components") or {}).items():
            for name, value in entries.items():
                ref = f"#/components/{kind}/{name}"
                taken = comps.get(kind, {}).get(name)
                if ref in renames or taken is None:
                    continue
                if taken != value or _refs(value) & set(renames):
                    renames[ref] = (kind, name, f"{service.replace('-', '_')}_{name}")
                    changed = True
    if not renames:
        return doc

    def rewrite(node):
        if isinstance(node, dict):
            return {
                k: (
                    f"#/components/{renames[v][0]}/{renames[v][2]}"
                    if k == "$ref" and v in renames
                    else rewrite(v)
                )
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [rewrite(x) for x in node]
        return node

    doc = rewrite(doc)
    for kind, name, new_name in renames.values():
        doc["components"][kind][new_name] = doc["components"][kind].pop(name)
    return doc


_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def _operations(paths: dict):
    for item in paths.values():
        for method, op in item.items():
            if method in _METHODS and isinstance(op, dict):
                yield op


def _merge_tag(tags: list[dict], tag: dict) -> None:
    """One entry per tag name (OpenAPI requires it): two services' `reflective` tags become one,
    whose description names both when they differ."""
    same = next((t for t in tags if t.get("name") == tag.get("name")), None)
    if same is None:
        tags.append(dict(tag))
    elif tag.get("description") and tag.get("description") not in (same.get("description") or ""):
        same["description"] = "; ".join(filter(None, [same.get("description"), tag["description"]]))


def merge(base: dict, docs: dict[str, dict]) -> dict:
    out = copy.deepcopy(base)
    out.setdefault("paths", {})
    comps = out.setdefault("components", {})
    ids = {op.get("operationId") for op in _operations(out["paths"])}
    tags = out.setdefault("tags", [])
    for service, doc in docs.items():
        doc = _renamed(doc, service, comps)
        for path, item in (doc.get("paths") or {}).items():
            segment = path.split("/")[3] if path.startswith("/api/v1/") and len(path.split("/")) > 3 else ""
            if segment in ROUTES and SERVICES[service] == ROUTES[segment]:
                item = out["paths"][path] = copy.deepcopy(item)
                for op in _operations({path: item}):  # operationIds stay unique across services
                    if op.get("operationId") and op["operationId"] in ids:
                        op["operationId"] = f"{service.replace('-', '_')}_{op['operationId']}"
                    ids.add(op.get("operationId"))
        for kind, entries in (doc.get("components") or {}).items():
            target = comps.setdefault(kind, {})
            for name, value in entries.items():
                target.setdefault(name, value)
        for tag in doc.get("tags") or []:
            _merge_tag(tags, tag)
    out["info"] = {
        "title": "I Matter API",
        "version": "v1",
        "description": "Gateway to I Matter Training and Relationship Health Matters CIC.",
    }
    return out


@bp.get("/api/v1/openapi.json")
def merged_openapi():
    return jsonify(merged_document())


def merged_document() -> dict:
    """The merged document, from this process's cache while it is fresh (module docstring)."""
    key = tuple(base_url(k) for k in SERVICES.values())
    cache = current_app.extensions.setdefault("imatter_openapi_cache", {})
    ttl = float(current_app.config["OPENAPI_CACHE_SECONDS"])
    hit = cache.get("doc")
    if hit is None or hit[0] != key or time.monotonic() - hit[1] >= ttl:
        merged = _build()
        hit = (key, time.monotonic(), merged)
        if merged["x-services-missing"]:
            cache.pop("doc", None)
        else:
            cache["doc"] = hit
    return hit[2]


def _build() -> dict:
    own = current_app.extensions["imatter_api"].spec.to_dict()
    docs = {}
    for service, key in SERVICES.items():
        try:
            r = upstream.get(base_url(key) + "/openapi.json")
            if r.status == 200:
                docs[service] = json.loads(r.data)
        except (HTTPError, ValueError) as exc:
            log.warning(
                "openapi fetch failed", extra={"ctx_upstream": service, "ctx_error": type(exc).__name__}
            )
    merged = merge(own, docs)
    merged["x-services-missing"] = sorted(set(SERVICES) - set(docs))
    return merged
