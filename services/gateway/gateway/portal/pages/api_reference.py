"""/api/docs: the API reference, rendered here from the merged OpenAPI document (the same one
/api/v1/openapi.json serves). Nothing is fetched by the browser (no CDN, no script): each tag's
operations with their method, path, summary, who may call them (public or bearer token), their
parameters, request body and documented responses. No sign-in needed."""

from __future__ import annotations

from flask import render_template

from ...api.openapi import merged_document
from ..plumbing import bp

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(body: dict | None) -> str:
    content = (body or {}).get("content") or {}
    schema = next(iter(content.values()), {}).get("schema") or {}
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref") or ""
    return ref.rsplit("/", 1)[-1] or schema.get("type", "")


def operations_by_tag(doc: dict) -> list[tuple[str, str, list[dict]]]:
    """[(tag, description, [operation, ...])] in the document's tag order, then any other tag."""
    global_security = doc.get("security") or []
    grouped: dict[str, list[dict]] = {}
    for path, item in (doc.get("paths") or {}).items():
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            security = op.get("security", global_security)
            params = [*(item.get("parameters") or []), *(op.get("parameters") or [])]
            entry = {
                "id": op.get("operationId") or f"{method}-{path}",
                "method": method.upper(),
                "path": path,
                "summary": (op.get("summary") or op.get("description") or "").strip(),
                "public": security == [],
                "parameters": [(p.get("name"), p.get("in"), bool(p.get("required"))) for p in params],
                "body": _schema_name(op.get("requestBody")),
                "responses": sorted(str(code) for code in (op.get("responses") or {})),
            }
            for tag in op.get("tags") or ["other"]:
                grouped.setdefault(tag, []).append(entry)
    described = {t.get("name"): t.get("description") or "" for t in doc.get("tags") or []}
    order = [t for t in described if t in grouped] + sorted(t for t in grouped if t not in described)
    return [(tag, described.get(tag, ""), grouped[tag]) for tag in order]


@bp.get("/api/docs")
def api_reference():
    doc = merged_document()
    return render_template(
        "portal/api_reference.html",
        info=doc.get("info") or {},
        tags=operations_by_tag(doc),
        missing=doc.get("x-services-missing") or [],
    )
