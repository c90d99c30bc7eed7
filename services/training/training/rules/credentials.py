"""Open Badges 3.0 credentials as plain data (decisions 0050, 0051): what a credential says, the
revocation status list, and the checks a verifier makes on the claims. No Flask, no database, no
key: signing and reading signatures are services/issuer_keys.py's.

The credential is a W3C Verifiable Credential (VCDM 2.0) of type OpenBadgeCredential in the
VC-JWT proof format of Open Badges 3.0 section 8.2: the JWT's claims ARE the credential, with
the registered claims `iss` (issuer id), `jti` (credential id) and `nbf` (validFrom) beside it.

A credential kind is one row of KINDS: what it attests (`achievement_type` in the Open Badges
vocabulary) and how its achievement reads. A Lead Professional licence plugs in as a kind
"licence" (achievement type "License") with its own source row (docs/decisions/0050)."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
STATUS_LIST_TYPE = ["VerifiableCredential", "BitstringStatusListCredential"]
ISSUER_NAME = "I Matter Training"
STATUS_PURPOSE = "revocation"
# how long a signed status list may be relied on before a verifier fetches it again
STATUS_LIST_TTL_SECONDS = 24 * 3600

KINDS = {
    "certification": {"achievement_type": "Certification", "noun": "certification"},
    "licence": {"achievement_type": "License", "noun": "licence"},
}

# verification results (the public verification page and API answer one of these)
VERIFIED, REVOKED, INVALID = "verified", "revoked", "invalid"


def rfc3339(t: datetime) -> str:
    return t.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def epoch(t: datetime) -> int:
    return int(t.replace(tzinfo=UTC).timestamp())


def issuer_profile(issuer_id: str, portal_url: str) -> dict:
    return {"id": issuer_id, "type": ["Profile"], "name": ISSUER_NAME, "url": portal_url}


def achievement(kind: str, code: str, role: dict, portal_url: str, issuer: dict) -> dict:
    """The achievement a credential attests: for a certification, the role with what it enables
    and the pathway requirements that were met (the catalogue in force)."""
    title = role["title"]
    needed = ", ".join(r["code"].replace("_", " ") for r in role.get("requirements", []))
    enables = "; ".join(role.get("enables", []))
    return {
        "id": f"{portal_url}/catalogue#role-{code}",
        "type": ["Achievement"],
        "achievementType": KINDS[kind]["achievement_type"],
        "name": title,
        "description": f"Certified by {ISSUER_NAME} as {title}."
        + (f" Enables: {enables}." if enables else ""),
        "criteria": {"narrative": f"Every requirement of the {title} pathway met: {needed}."},
        "creator": issuer,
    }


def licence_achievement(kind: dict, area: str, scopes: list[str], portal_url: str, issuer: dict) -> dict:
    """The achievement of a Lead Professional licence (decision 0055): the kind, its scopes and
    its application area, and what its grant required (the kind's eligibility in force)."""
    title = kind["title"]
    scope_text = ", ".join(s.replace("_", " ") for s in scopes)
    needed = ", ".join(r["title"] for r in kind.get("requires", []))
    return {
        "id": f"{portal_url}/lead-professional-licences#kind-{kind['code']}",
        "type": ["Achievement"],
        "achievementType": KINDS["licence"]["achievement_type"],
        "name": title + ("" if area == "adults" else f" ({area.replace('_', ' ')})"),
        "description": f"Licensed by {ISSUER_NAME}: {title}."
        + (f" Scopes: {scope_text}." if scope_text else "")
        + f" Application area: {area.replace('_', ' ')}.",
        "criteria": {"narrative": f"Granted by a training admin of {ISSUER_NAME} once met: {needed}."},
        "creator": issuer,
    }


def open_badge(
    *,
    credential_id: str,
    credential_url: str,
    issuer: dict,
    holder_name: str,
    achievement: dict,
    issued_at: datetime,
    status_list_url: str,
    status_index: int,
) -> dict:
    """The JWT claims of one OpenBadgeCredential. The holder is named (an IdentityObject of type
    "name", not hashed), never by email or an internal id."""
    return {
        "@context": CONTEXT,
        "id": credential_url,
        "type": CREDENTIAL_TYPE,
        "issuer": issuer,
        "name": achievement["name"],
        "validFrom": rfc3339(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": holder_name,
                }
            ],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url,
        },
        "iss": issuer["id"],
        "jti": credential_id,
        "nbf": epoch(issued_at),
    }


# -- the Bitstring Status List (W3C): bit i is 1 when the credential at index i is revoked ----------


def encode_list(revoked: set[int], size: int) -> str:
    """The `encodedList`: multibase base64url (no padding, prefix "u") of the GZIP-compressed
    bitstring, the first index being the left-most bit of the first byte."""
    bits = bytearray(size // 8)
    for i in revoked:
        bits[i // 8] |= 0x80 >> (i % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def bit_at(encoded: str, index: int) -> bool:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    raw = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    if index < 0 or index >= len(bits) * 8:
        raise ValueError("statusListIndex is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list(list_url: str, issuer: dict, revoked: set[int], size: int, now: datetime) -> dict:
    valid_until = datetime.fromtimestamp(epoch(now) + STATUS_LIST_TTL_SECONDS, UTC)
    return {
        "@context": [CONTEXT[0]],
        "id": list_url,
        "type": STATUS_LIST_TYPE,
        "issuer": issuer,
        "validFrom": rfc3339(now),
        "validUntil": rfc3339(valid_until),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_list(revoked, size),
        },
        "iss": issuer["id"],
        "jti": list_url,
        "nbf": epoch(now),
        "exp": epoch(valid_until),
    }


# -- what a verifier checks in the claims, once the signature holds ----------------------------------


def claim_problems(claims: dict, issuer_id: str, now: datetime) -> list[str]:
    """Why these claims are not a credential of ours in force now (empty: none)."""
    problems = []
    if claims.get("@context", [])[:2] != CONTEXT:
        problems.append("not an Open Badges 3.0 credential (@context)")
    types = claims.get("type") or []
    if not isinstance(types, list) or not set(CREDENTIAL_TYPE) <= set(types):
        problems.append("not an OpenBadgeCredential (type)")
    issuer = claims.get("issuer")
    issuer_ref = issuer.get("id") if isinstance(issuer, dict) else issuer
    if claims.get("iss") != issuer_id or issuer_ref != issuer_id:
        problems.append("issued by someone else (issuer)")
    t = epoch(now)
    if not isinstance(claims.get("nbf"), int) or claims["nbf"] > t + 60:
        problems.append("not valid yet (validFrom)")
    if isinstance(claims.get("exp"), int) and claims["exp"] < t - 60:
        problems.append("expired (validUntil)")
    status = claims.get("credentialStatus")
    if not isinstance(status, dict) or status.get("type") != "BitstringStatusListEntry":
        problems.append("no revocation status (credentialStatus)")
    return problems


def status_entry(claims: dict) -> tuple[str, int] | None:
    """(status list URL, index) of a credential's revocation entry, or None when it has none."""
    s = claims.get("credentialStatus")
    if not isinstance(s, dict) or s.get("statusPurpose") != STATUS_PURPOSE:
        return None
    try:
        return str(s["statusListCredential"]), int(s["statusListIndex"])
    except (KeyError, TypeError, ValueError):
        return None
