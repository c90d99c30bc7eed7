"""Verifiable credentials (decisions 0050, 0051): the holder downloads the Open Badges 3.0
credential of each certification; anyone reads the issuer's keys, a credential's status and the
revocation status list, and verifies a credential; a training admin withdraws a certification,
which revokes its credential."""

from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal, public
from imatter_shared.web.errors import NotFound

from ..authz import caller, is_self_or_training_admin, require_person_access
from ..extensions import db
from ..services import certification as certification_svc
from ..services import credentials as svc
from ..services import issuer_keys
from .common import PageArgs, paged, require_training_admin, written_out
from .schemas.credentials import (
    BadgeIssuerOut,
    CredentialOut,
    CredentialPage,
    CredentialStatusOut,
    JwkSetOut,
    VerificationOut,
)
from .schemas.pathways import CertificationOut

blp = Blueprint(
    "credentials",
    __name__,
    url_prefix="/api/v1",
    description="Open Badges 3.0 credentials of certifications: download, verification, revocation",
)

VC_JWT = "application/vc+jwt"
COMPACT_JWS = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"


class VerifyIn(Schema):
    credential = fields.String(
        required=True,
        validate=[
            v.Length(min=10, max=20_000),
            v.Regexp(
                COMPACT_JWS, error="Paste the whole credential: a compact JWS (three dot-separated parts)."
            ),
        ],
        metadata={"description": "the credential as downloaded (a VC-JWT)"},
    )


class WithdrawIn(Schema):
    reason = fields.String(required=True, validate=[v.Length(max=300), written_out(5)])


@blp.route("/people/<person_id>/credentials")
@blp.arguments(PageArgs, location="query")
@blp.response(200, CredentialPage)
def of_person(args, person_id):
    """The person's credentials, one per certification, each signed (the holder or a training
    admin; 404 for anyone else)."""
    require_person_access(person_id)
    certification_svc.get_person(person_id)
    rows = svc.of_person(person_id)
    page = paged(rows, args)
    page["items"] = [svc.view(*row) for row in page["items"]]
    audit.record("read", "credentials", person_id)
    db.session.commit()  # a credential issued now for an earlier certification is kept
    return page


@blp.route("/certifications/<certification_id>/credential")
@blp.response(200, CredentialOut)
def of_certification(certification_id):
    """The certification's credential for its holder (or a training admin). Anyone else gets 404,
    as for a certification that does not exist."""
    c = caller()
    holder = svc.holder_of(certification_id)  # 404 when there is no such certification
    if not is_self_or_training_admin(c, holder):
        log_refusal("certification", certification_id)
        raise NotFound("No certification with that id.")
    out = svc.view(*svc.of_certification(certification_id))
    audit.record("read", "credential", out["id"])
    db.session.commit()
    return out


@blp.route("/certifications/<certification_id>/withdraw", methods=["POST"])
@blp.arguments(WithdrawIn)
@blp.response(200, CertificationOut)
def withdraw(data, certification_id):
    """A training admin withdraws a certification, with the reason: it counts for nothing from now
    on and its credential shows as revoked (the status list's bit is set). 409 when already withdrawn."""
    c = require_training_admin()
    cert = certification_svc.withdraw(certification_id, data["reason"], c.user_id)
    audit.record("change", "certification", cert.id)
    db.session.commit()
    return cert


@blp.route("/credentials/issuer")
@blp.response(200, BadgeIssuerOut)
@public
def issuer():
    """Public: I Matter Training as an Open Badges issuer (its Profile) with its public keys."""
    base = issuer_keys.base_url()
    return {
        "id": issuer_keys.issuer_id(),
        "type": ["Profile"],
        "name": "I Matter Training",
        "url": base,
        "jwks_uri": base + "/api/v1/credentials/issuer/jwks.json",
        **issuer_keys.jwks(),
    }


@blp.route("/credentials/issuer/jwks.json")
@blp.response(200, JwkSetOut)
@public
def jwks():
    """Public: the keys credentials are signed with (JWK set; each key's `kid` is its thumbprint)."""
    return issuer_keys.jwks()


@blp.route("/credentials/<credential_id>/status")
@blp.response(200, CredentialStatusOut)
@public
def status(credential_id):
    """Public: what a credential's verification link shows: active or revoked, what and whose."""
    return svc.public_status(credential_id)


@blp.route("/credentials/status-lists/<list_id>")
@blp.doc(
    responses={
        "200": {
            "description": "The revocation list as a signed BitstringStatusListCredential (a VC-JWT).",
            "content": {VC_JWT: {"schema": {"type": "string"}}},
        }
    }
)
@public
def status_list(list_id):
    """Public: the W3C Bitstring Status List a credential's `credentialStatus` points at (bit set:
    revoked). Valid for a day; fetch it again after that."""
    return Response(
        svc.status_list(list_id), mimetype=VC_JWT, headers={"Cache-Control": "public, max-age=300"}
    )


@blp.route("/credentials/verify", methods=["POST"])
@blp.arguments(VerifyIn)
@blp.response(200, VerificationOut)
@public
def verify(data):
    """Public: checks a credential's signature against I Matter Training's keys, what it claims
    (an OpenBadgeCredential of ours, in force) and its revocation bit. 400 naming `credential`
    when it is not a signed credential at all."""
    return svc.verify(data["credential"])
