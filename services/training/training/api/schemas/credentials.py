"""Open Badges 3.0 credentials: the holder's download, the issuer, the public status and the
verification result."""

from __future__ import annotations

from marshmallow import fields

from .base import Opt, Out, Str, When, page_of


class CredentialOut(Out):
    id = Str()
    kind = Str(metadata={"description": "certification | licence (a Lead Professional licence)"})
    certification_id = Opt(metadata={"description": "kind certification: the certification"})
    role = Opt(metadata={"description": "kind certification: the role certified"})
    licence_id = Opt(metadata={"description": "kind licence: the Lead Professional licence"})
    licence_kind = Opt(metadata={"description": "kind licence: level_3a | level_4 | ... (the licence kinds)"})
    title = Str()
    issued_at = When()
    status = Str(metadata={"description": "active | revoked"})
    revoked_at = When()
    verify_url = Str(metadata={"description": "the public verification page of this credential"})
    credential = Str(
        metadata={
            "description": "the Open Badges 3.0 OpenBadgeCredential as a VC-JWT (compact JWS, RS256), "
            "signed by I Matter Training"
        }
    )


CredentialPage = page_of(CredentialOut)


class JwkSetOut(Out):
    keys = fields.List(fields.Dict(), required=True, metadata={"description": "public JWKs, each with kid"})


class BadgeIssuerOut(JwkSetOut):
    id = Str()
    type = fields.List(fields.String())
    name = Str()
    url = Str()
    jwks_uri = Str()


class CredentialStatusOut(Out):
    id = Str()
    status = Str(metadata={"description": "active | revoked"})
    # null for a credential whose holder was erased (a revoked tombstone, decision 0052)
    holder = Opt(metadata={"description": "the holder's name; null once their record was erased"})
    achievement = Opt(metadata={"description": "the role's title; null once the holder's record was erased"})
    issuer = Str()
    issued_at = When()
    revoked_at = When()


class VerifiedCredentialOut(Out):
    id = Opt()
    achievement = Opt()
    holder = Opt()
    issuer = Opt()
    valid_from = Opt()


class VerificationOut(Out):
    result = Str(metadata={"description": "verified | revoked | invalid"})
    reasons = fields.List(fields.String(), required=True)
    credential = fields.Nested(VerifiedCredentialOut, allow_none=True)
