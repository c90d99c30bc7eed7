"""GET /api/v1/openapi.json: the gateway's own document merged with each service's."""
from __future__ import annotations

import copy
import logging

import requests
from flask import Blueprint, current_app, jsonify

from ..upstream import ROUTES, SERVICES, base_url, session, timeouts

log = logging.getLogger("imatter.gateway.openapi")
bp = Blueprint("openapi_merged", __name__)


def merge(base: dict, docs: dict[str, dict]) -> dict:
    out = copy.deepcopy(base)
    out.setdefault("paths", {})
    comps = out.setdefault("components", {})
    for service, doc in docs.items():
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
    out["info"] = {"title": "I Matter API", "version": "v1",
                   "description": "Gateway to I Matter Training and Relationship Health Matters CIC."}
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
            log.warning("openapi fetch failed", extra={"ctx_upstream": service, "ctx_error": type(exc).__name__})
    merged = merge(own, docs)
    merged["x-services-missing"] = sorted(set(SERVICES) - set(docs))
    return jsonify(merged)
