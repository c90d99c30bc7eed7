"""GET /api/v1/openapi.json: the gateway's own document merged with each service's."""

from __future__ import annotations

import copy
import logging

import requests
from flask import Blueprint, current_app, jsonify

from ..upstream import ROUTES, SERVICES, base_url, session, timeouts

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


def merge(base: dict, docs: dict[str, dict]) -> dict:
    out = copy.deepcopy(base)
    out.setdefault("paths", {})
    comps = out.setdefault("components", {})
    for service, doc in docs.items():
        doc = _renamed(doc, service, comps)
        for path, item in (doc.get("paths") or {}).items():
            segment = path.split("/")[3] if path.startswith("/api/v1/") and len(path.split("/")) > 3 else ""
            if segment in ROUTES and SERVICES[service] == ROUTES[segment]:
                out["paths"][path] = item
        for kind, entries in (doc.get("components") or {}).items():
            target = comps.setdefault(kind, {})
            for name, value in entries.items():
                target.setdefault(name, value)
        for tag in doc.get("tags") or []:
            if tag not in out.setdefault("tags", []):
                out["tags"].append(tag)
    out["info"] = {
        "title": "I Matter API",
        "version": "v1",
        "description": "Gateway to I Matter Training and Relationship Health Matters CIC.",
    }
    return out


@bp.get("/api/v1/openapi.json")
def merged_openapi():
    own = current_app.extensions["imatter_api"].spec.to_dict()
    docs = {}
    for service, key in SERVICES.items():
        try:
            r = session().get(base_url(key) + "/openapi.json", timeout=timeouts())
            if r.status_code == 200:
                docs[service] = r.json()
        except requests.RequestException as exc:
            log.warning(
                "openapi fetch failed", extra={"ctx_upstream": service, "ctx_error": type(exc).__name__}
            )
    merged = merge(own, docs)
    merged["x-services-missing"] = sorted(set(SERVICES) - set(docs))
    return jsonify(merged)
