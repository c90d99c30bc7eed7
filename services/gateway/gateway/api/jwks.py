"""GET /.well-known/jwks.json: the public keys tokens are signed with, as a JSON Web Key Set.

The current key first, then every key kept for rotation (imatter_shared.web.keyset reads them
from the gateway's key directory). Each entry's `kid` is the RFC 7638 thumbprint the gateway
writes into the header of the tokens it signs with that key. Services do not fetch this on each
request: they read the same keys from local files; an operator (or a sidecar) may copy this
document into a service's JWT_JWKS_FILE (docs/deploying.md, "Rotating the signing key").
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from imatter_shared.web.keyset import verification_keys

bp = Blueprint("jwks", __name__)


@bp.get("/.well-known/jwks.json")
def jwks():
    resp = jsonify({"keys": verification_keys(current_app).jwks})
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
