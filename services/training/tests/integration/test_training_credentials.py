"""Issue 21: each certification is an Open Badges 3.0 credential (a VC-JWT signed by I Matter
Training). It verifies with joserfc, the library's own verifier, against the published key set;
a changed byte or another key fails; withdrawing the certification revokes it in the public
Bitstring Status List; only the holder (or a training admin) downloads it; bad input is a
problem+json naming the field."""

import base64
import gzip
import json
import uuid

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry

OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _own_person(client, keys, name):
    uid = uuid.uuid4().hex
    h = keys.headers(user_id=uid, email=f"{uid[:8]}@imatter.example", name=name)
    r = client.post(
        "/api/v1/people",
        headers=h,
        json={"name": name, "email": f"{uid[:8]}@imatter.example", "kind": "professional"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json(), h


@pytest.fixture
def certified(client, keys):
    """A Lead Plus recorded by a training admin (the cheapest way to a certification)."""
    person, own = _own_person(client, keys, "Cass Fictional-Holder")
    admin = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    r = client.post(
        f"/api/v1/people/{person['id']}/certifications",
        headers=admin,
        json={"role": "lead_plus", "reason": "Founding I Matter Training team (paper records)"},
    )
    assert r.status_code == 201, r.get_json()
    return person, own, admin, r.get_json()


def _jwks(client) -> KeySet:
    r = client.get("/api/v1/credentials/issuer/jwks.json")
    assert r.status_code == 200
    return KeySet.import_key_set(r.get_json())


def _bit(status_list_jwt: str, keyset: KeySet, index: int) -> int:
    """Read the status list as any verifier would: joserfc for the signature, then the W3C
    encoding (multibase base64url of the GZIP-compressed bitstring, left-most bit first)."""
    subject = jwt.decode(status_list_jwt, keyset, algorithms=["RS256"]).claims["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    raw = subject["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    assert len(bits) * 8 >= 131072  # the W3C minimum list size (herd privacy)
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_issued_credential_verifies_with_joserfc_and_fails_when_tampered_or_revoked(client, keys, certified):
    person, own, admin, cert = certified
    r = client.get(f"/api/v1/people/{person['id']}/credentials", headers=own)
    assert r.status_code == 200, r.get_json()
    [item] = r.get_json()["items"]
    assert (item["role"], item["status"], item["certification_id"]) == ("lead_plus", "active", cert["id"])
    token = item["credential"]
    assert item["verify_url"].endswith(f"/credentials/{item['id']}")

    # the library's verifier: signature against the published keys, then the registered claims
    issuer = client.get("/api/v1/credentials/issuer").get_json()
    assert issuer["name"] == "I Matter Training" and issuer["keys"][0]["kid"]
    keyset = _jwks(client)
    decoded = jwt.decode(token, keyset, algorithms=["RS256"])
    assert decoded.header["kid"] == issuer["keys"][0]["kid"] and decoded.header["alg"] == "RS256"
    JWTClaimsRegistry(
        iss={"essential": True, "value": issuer["id"]},
        jti={"essential": True, "value": item["id"]},
        nbf={"essential": True},
    ).validate(decoded.claims)
    vc = decoded.claims
    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2", OB3_CONTEXT]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == issuer["id"] and vc["validFrom"].endswith("Z")
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == "Cass Fictional-Holder"
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["achievementType"] == "Certification"
    assert (
        subject["achievement"]["name"].startswith("Lead Plus")
        and subject["achievement"]["criteria"]["narrative"]
    )
    assert person["id"] not in json.dumps(vc) and person["email"] not in json.dumps(
        vc
    )  # no internal id, no email
    status = vc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    index = int(status["statusListIndex"])
    list_path = status["statusListCredential"].split("://", 1)[1].split("/", 1)[1]
    listed = client.get("/" + list_path)
    assert listed.status_code == 200 and listed.mimetype == "application/vc+jwt"
    assert _bit(listed.get_data(as_text=True), keyset, index) == 0

    # the public verification agrees
    r = client.post("/api/v1/credentials/verify", json={"credential": token})
    assert r.status_code == 200 and r.get_json()["result"] == "verified", r.get_json()
    assert r.get_json()["credential"]["holder"] == "Cass Fictional-Holder"

    # one changed claim (another holder's name) with the original signature: refused
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory Forger"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = f"{head}.{forged_body}.{sig}"
    with pytest.raises(BadSignatureError):
        jwt.decode(forged, keyset, algorithms=["RS256"])
    r = client.post("/api/v1/credentials/verify", json={"credential": forged})
    assert r.status_code == 200 and r.get_json()["result"] == "invalid" and r.get_json()["credential"] is None
    # the same claims signed by someone else's key (same kid claimed): refused too
    other = RSAKey.generate_key(2048)
    foreign = jwt.encode({"alg": "RS256", "kid": decoded.header["kid"]}, vc, other)
    assert (
        client.post("/api/v1/credentials/verify", json={"credential": foreign}).get_json()["result"]
        == "invalid"
    )

    # a training admin withdraws the certification: the credential is revoked, not deleted
    assert (
        client.post(
            f"/api/v1/certifications/{cert['id']}/withdraw", headers=own, json={"reason": "because I can"}
        ).status_code
        == 403
    )
    r = client.post(f"/api/v1/certifications/{cert['id']}/withdraw", headers=admin, json={})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = client.post(
        f"/api/v1/certifications/{cert['id']}/withdraw",
        headers=admin,
        json={"reason": "Practice concerns upheld"},
    )
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn", r.get_json()
    again = client.post(
        f"/api/v1/certifications/{cert['id']}/withdraw", headers=admin, json={"reason": "twice over"}
    )
    assert again.status_code == 409 and again.get_json()["unmet"] == ["certification_current"]

    jwt.decode(token, keyset, algorithms=["RS256"])  # the signature itself still holds ...
    assert (
        _bit(client.get("/" + list_path).get_data(as_text=True), keyset, index) == 1
    )  # ... but its bit is set
    r = client.post("/api/v1/credentials/verify", json={"credential": token})
    body = r.get_json()
    assert body["result"] == "revoked" and any("revoked" in reason for reason in body["reasons"]), body
    assert client.get(f"/api/v1/credentials/{item['id']}/status").get_json()["status"] == "revoked"
    mine = client.get(f"/api/v1/people/{person['id']}/credentials", headers=own).get_json()["items"]
    assert [c["status"] for c in mine] == ["revoked"]


def test_only_the_holder_or_a_training_admin_downloads_a_credential(client, keys, certified):
    person, own, admin, cert = certified
    stranger, stranger_h = _own_person(client, keys, "Sam Fictional-Stranger")
    path = f"/api/v1/certifications/{cert['id']}/credential"
    mine = client.get(path, headers=own)
    assert mine.status_code == 200 and mine.get_json()["credential"].count(".") == 2
    assert client.get(path, headers=admin).get_json()["id"] == mine.get_json()["id"]  # the same credential
    refused = client.get(path, headers=stranger_h)
    missing = client.get(f"/api/v1/certifications/{uuid.uuid4().hex}/credential", headers=stranger_h)
    assert refused.status_code == missing.status_code == 404
    assert refused.get_json()["detail"] == missing.get_json()["detail"]  # existence is not leaked
    assert client.get(path).status_code == 401
    assert client.get(f"/api/v1/people/{person['id']}/credentials", headers=stranger_h).status_code == 404
    # the holder's certification list links its credential
    [listed] = client.get(f"/api/v1/people/{person['id']}/certifications", headers=own).get_json()["items"]
    assert listed["credential_id"] == mine.get_json()["id"]
    assert client.get(f"/api/v1/credentials/{uuid.uuid4().hex}/status").status_code == 404


@pytest.mark.parametrize(
    "body",
    [{}, {"credential": 42}, {"credential": "not a credential"}, {"credential": "eyJhbGciOi.e30.c2ln"}],
)
def test_verification_refuses_what_is_not_a_credential_with_a_problem(client, body):
    r = client.post("/api/v1/credentials/verify", json=body)
    assert r.status_code == 400 and r.mimetype == "application/problem+json", r.get_data(as_text=True)
    assert "credential" in r.get_json()["errors"]


def test_the_directory_links_each_certification_to_its_credential_and_drops_a_withdrawn_one(
    client, keys, certified
):
    person, own, admin, cert = certified
    r = client.post(
        f"/api/v1/people/{person['id']}/directory-entry", headers=own, json={"locality": "Kendal"}
    )
    assert r.status_code == 201, r.get_json()
    [entry] = client.get("/api/v1/directory").get_json()["items"]
    [listed] = entry["certifications"]
    cred = client.get(f"/api/v1/certifications/{cert['id']}/credential", headers=own).get_json()
    assert listed["credential_id"] == cred["id"]
    status = client.get(f"/api/v1/credentials/{cred['id']}/status").get_json()
    assert (status["status"], status["holder"]) == ("active", "Cass Fictional-Holder")
    client.post(
        f"/api/v1/certifications/{cert['id']}/withdraw", headers=admin, json={"reason": "Withdrawn on review"}
    )
    assert client.get("/api/v1/directory").get_json()["items"] == []


def test_a_blank_withdrawal_reason_is_refused_naming_reason_and_changes_nothing(client, db, certified):
    person, own, admin, cert = certified
    for reason in ("      ", " \t\n  ", "  ab   "):
        r = client.post(
            f"/api/v1/certifications/{cert['id']}/withdraw", headers=admin, json={"reason": reason}
        )
        assert r.status_code == 400 and r.mimetype == "application/problem+json", r.get_data(as_text=True)
        assert list(r.get_json()["errors"]) == ["reason"]
    [listed] = client.get(f"/api/v1/people/{person['id']}/certifications", headers=own).get_json()["items"]
    assert (listed["status"], listed["withdrawn_at"], listed["withdrawal_reason"]) == ("current", None, None)
    [cred] = client.get(f"/api/v1/people/{person['id']}/credentials", headers=own).get_json()["items"]
    assert cred["status"] == "active"
    assert _outbox(db, "training.practitioner.certification_withdrawn") == []


def _outbox(db, event_type):
    import sqlalchemy as sa

    from training.models import OutboxMessage

    rows = db.session.scalars(sa.select(OutboxMessage.payload).where(OutboxMessage.type == event_type))
    return [json.loads(p)["data"] for p in rows]


def test_a_withdrawal_tells_cic_tracker_the_certification_facts_and_never_the_reason(client, db, certified):
    person, own, admin, cert = certified
    reason = "Practice concerns upheld after review"
    r = client.post(f"/api/v1/certifications/{cert['id']}/withdraw", headers=admin, json={"reason": reason})
    assert r.status_code == 200, r.get_json()
    [certified_event] = _outbox(db, "training.practitioner.certified")
    [event] = _outbox(db, "training.practitioner.certification_withdrawn")
    assert event == {
        "person_id": person["id"],
        "role": "lead_plus",
        "organisation_id": certified_event["organisation_id"],
        "withdrawn_at": event["withdrawn_at"],
    }
    assert event["withdrawn_at"].startswith(r.get_json()["withdrawn_at"][:16])
    assert reason not in json.dumps(event)
    # refused the second time (409): no second event
    client.post(f"/api/v1/certifications/{cert['id']}/withdraw", headers=admin, json={"reason": reason})
    assert len(_outbox(db, "training.practitioner.certification_withdrawn")) == 1


def test_only_the_holder_and_training_admins_see_why_a_certification_was_withdrawn(client, keys, join):
    org_admin = keys.headers(user_id=uuid.uuid4().hex, email="link@fictional.example", name="Org Admin")
    r = client.post(
        "/api/v1/organisations",
        headers=org_admin,
        json={
            "name": "Fictional Primary",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@fictional.example",
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    member = join(org_admin, r.get_json()["id"], name="Rae Fictional-Member")
    admin = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    path = f"/api/v1/people/{member['id']}/certifications"
    r = client.post(
        path, headers=admin, json={"role": "lead", "reason": "Certified before the system existed"}
    )
    assert r.status_code == 201, r.get_json()
    reason = "Concerns about practice upheld"
    r = client.post(
        f"/api/v1/certifications/{r.get_json()['id']}/withdraw", headers=admin, json={"reason": reason}
    )
    assert r.status_code == 200 and r.get_json()["withdrawal_reason"] == reason

    for headers in (member["headers"], admin):
        [c] = client.get(path, headers=headers).get_json()["items"]
        assert c["withdrawal_reason"] == reason
    seen = client.get(path, headers=org_admin)
    assert seen.status_code == 200, seen.get_json()
    [c] = seen.get_json()["items"]
    assert (c["status"], c["role"]) == ("withdrawn", "lead") and c["withdrawn_at"]
    assert "withdrawal_reason" not in c and reason not in seen.get_data(as_text=True)


def _list_bit(client, index):
    listed = client.get("/api/v1/credentials/status-lists/1")
    assert listed.status_code == 200
    return _bit(listed.get_data(as_text=True), _jwks(client), index)


def test_erasing_the_holder_keeps_a_revoked_tombstone_whose_slot_is_never_reused(app, client, db, certified):
    """flask dp erase deletes the person and the certification, but their credential's bit must
    stay set (the holder still has the file) and its slot must never go to someone else."""
    import sqlalchemy as sa

    from training.models.credentials import Credential
    from training.services import credentials as credentials_svc

    person, own, admin, cert = certified
    [item] = client.get(f"/api/v1/people/{person['id']}/credentials", headers=own).get_json()["items"]
    token, index = (
        item["credential"],
        int(
            jwt.decode(item["credential"], _jwks(client), algorithms=["RS256"]).claims["credentialStatus"][
                "statusListIndex"
            ]
        ),
    )
    assert _list_bit(client, index) == 0

    r = app.test_cli_runner().invoke(args=["dp", "erase", "--person", person["id"]])
    assert r.exit_code == 0, r.output
    db.session.expire_all()
    [row] = db.session.scalars(sa.select(Credential).where(Credential.id == item["id"])).all()
    assert (row.person_id, row.certification_id, row.status_index) == (None, None, index)
    assert row.revoked_at is not None
    assert "Cass Fictional-Holder" not in json.dumps(
        {c.name: str(getattr(row, c.name)) for c in Credential.__table__.columns}
    )

    assert _list_bit(client, index) == 1  # at once, though the list was signed (and cached) before
    body = client.post("/api/v1/credentials/verify", json={"credential": token}).get_json()
    assert body["result"] == "revoked", body
    status = client.get(f"/api/v1/credentials/{item['id']}/status").get_json()
    assert (status["status"], status["holder"], status["achievement"]) == ("revoked", None, None)

    # the slot stays taken: a free-slot draw that lands on it draws again
    draws = iter([index, (index + 1) % 131072])
    original = credentials_svc._slots
    try:
        credentials_svc._slots = type("Rigged", (), {"randrange": lambda self, n: next(draws)})()
        assert credentials_svc._free_slot() == (index + 1) % 131072
    finally:
        credentials_svc._slots = original

    # retention leaves the tombstone alone, however late it runs
    r = app.test_cli_runner().invoke(args=["dp", "retention", "--now", "2099-01-01T00:00:00Z"])
    assert r.exit_code == 0, r.output
    db.session.expire_all()
    assert db.session.get(Credential, item["id"]) is not None
    assert _list_bit(client, index) == 1


def test_the_signed_status_list_is_reused_until_a_revocation_changes_it(client, certified, monkeypatch):
    from training.services import issuer_keys

    person, own, admin, cert = certified
    [item] = client.get(f"/api/v1/people/{person['id']}/credentials", headers=own).get_json()["items"]
    index = int(
        jwt.decode(item["credential"], _jwks(client), algorithms=["RS256"]).claims["credentialStatus"][
            "statusListIndex"
        ]
    )
    signed = []
    real_sign = issuer_keys.sign
    monkeypatch.setattr(
        issuer_keys, "sign", lambda claims, typ="JWT": signed.append(1) or real_sign(claims, typ)
    )
    first = client.get("/api/v1/credentials/status-lists/1").get_data(as_text=True)
    second = client.get("/api/v1/credentials/status-lists/1").get_data(as_text=True)
    assert first == second and len(signed) <= 1  # signed at most once (none if already cached)
    before = len(signed)
    r = client.post(
        f"/api/v1/certifications/{cert['id']}/withdraw", headers=admin, json={"reason": "Withdrawn on review"}
    )
    assert r.status_code == 200
    assert _list_bit(client, index) == 1 and len(signed) == before + 1  # visible at once, signed anew
