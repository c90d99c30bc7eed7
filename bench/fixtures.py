"""Data a benchmark needs, made through the public API of a started Stack (never behind its back),
except the bulk loads of bench.scale, which go straight into the service database before start."""

from __future__ import annotations

import uuid

from support.api_client import Client

from .common import log

ORG = {"kind": "school", "size_band": "small", "senior_leadership_commitment": True}


def signed_up(stack, name: str = "Bench User") -> Client:
    return Client(stack.url(), emailed_token=stack.emailed_token).signed_up(
        name=name, email=f"bench-{uuid.uuid4().hex[:10]}@example.org"
    )


def staff(stack, email: str = "training-admin@imatter.local") -> Client:
    return Client(stack.url()).signed_in(email, stack.admin_password)


def create_org(user: Client, name: str | None = None, size_band: str = "small") -> str:
    body = {
        **ORG,
        "size_band": size_band,
        "name": name or f"Fictional Bench School {uuid.uuid4().hex[:6]}",
        "link_contact_email": user.email,
    }
    r = user.post("/api/v1/organisations", body)
    if r.status_code != 201:
        raise RuntimeError(f"POST /api/v1/organisations -> {r.status_code}: {r.text[:300]}")
    return r.json()["id"]


def read_paths(org_id: str | None) -> dict[str, list[str]]:
    """The three reads of bench 1 and bench 4: name -> paths (GETs, taken in turn)."""
    paths = {
        "catalogue": ["/api/v1/catalogue/courses", "/api/v1/catalogue/roles", "/api/v1/catalogue/packages"],
        "directory": [
            "/api/v1/directory?page=1&per_page=50",
            "/api/v1/directory?q=fictional&page=1&per_page=50",
        ],
    }
    if org_id:
        paths["organisation"] = [f"/api/v1/organisations/{org_id}"]
    return paths


def probe(user: Client, paths: list[str], base: str | None = None, token: str | None = None) -> int:
    """Status of the first path (a read whose endpoint is missing is reported, not measured)."""
    http = user.http
    headers = user._headers({"Authorization": f"Bearer {token}"} if token else None)
    r = http.get((base or user.base) + paths[0], headers=headers, timeout=30)
    if r.status_code != 200:
        log(f"GET {paths[0]} -> {r.status_code}: {r.text[:200]}")
    return r.status_code
