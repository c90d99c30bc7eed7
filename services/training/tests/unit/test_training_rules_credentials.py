"""The credential rules as plain data: the W3C status list encoding round-trips bit by bit, and
a verifier's claim checks refuse another issuer, a future validFrom, an expiry and a missing status."""

from datetime import datetime, timedelta

from training.rules import credentials as rules

T = datetime(2026, 11, 29, 12, 0, 0)
ISSUER = {
    "id": "https://portal.example/api/v1/credentials/issuer",
    "type": ["Profile"],
    "name": "I Matter Training",
}


def _claims(**over):
    c = rules.open_badge(
        credential_id="c1",
        credential_url="https://portal.example/credentials/c1",
        issuer=ISSUER,
        holder_name="Cass",
        achievement={"name": "Lead", "type": ["Achievement"]},
        issued_at=T,
        status_list_url="https://portal.example/api/v1/credentials/status-lists/1",
        status_index=9,
    )
    return {**c, **over}


def test_status_list_bits_round_trip_left_most_first():
    encoded = rules.encode_list({0, 9, 131071}, 131072)
    assert encoded.startswith("u")
    assert [rules.bit_at(encoded, i) for i in (0, 1, 8, 9, 10, 131071)] == [
        True,
        False,
        False,
        True,
        False,
        True,
    ]


def test_claim_checks():
    assert rules.claim_problems(_claims(), ISSUER["id"], T) == []
    assert rules.status_entry(_claims()) == ("https://portal.example/api/v1/credentials/status-lists/1", 9)
    assert rules.claim_problems(_claims(), "https://elsewhere.example/issuer", T) == [
        "issued by someone else (issuer)"
    ]
    assert rules.claim_problems(_claims(), ISSUER["id"], T - timedelta(hours=1)) == [
        "not valid yet (validFrom)"
    ]
    expired = _claims(exp=rules.epoch(T - timedelta(days=1)))
    assert rules.claim_problems(expired, ISSUER["id"], T) == ["expired (validUntil)"]
    no_status = {k: v for k, v in _claims().items() if k != "credentialStatus"}
    assert rules.claim_problems(no_status, ISSUER["id"], T) == ["no revocation status (credentialStatus)"]
    assert rules.status_entry(no_status) is None
