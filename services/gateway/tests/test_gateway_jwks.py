"""Signing-key rotation without signing anyone out (issue 19): tokens name their key (`kid`, the
RFC 7638 thumbprint), the gateway publishes its keys at /.well-known/jwks.json, and every verifier
(the gateway for client tokens, a service for hop tokens) accepts any key in its local set, picks
it by kid, and refuses a kid it does not hold."""

from __future__ import annotations

import json
import shutil

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask import Flask
from jwt.algorithms import RSAAlgorithm

from imatter_shared.web.keyset import kid_of_private_pem, public_jwk, thumbprint, verification_keys
from support import testing as t

PASSWORD = "Plenty-long-passphrase-1"


def _write_pair(directory, keys: t.KeyPair, stem="jwt"):
    (directory / f"{stem}_private.pem").write_text(keys.private)
    (directory / f"{stem}_public.pem").write_text(keys.public)


@pytest.fixture
def rotating_gateway(tmp_path):
    """A gateway whose key directory the test rotates, on its own SQLite database."""
    from gateway import create_app
    from gateway.extensions import db

    keydir = tmp_path / "keys"
    keydir.mkdir()
    old = t.KeyPair()
    _write_pair(keydir, old)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/gateway.db",
            "JWT_PRIVATE_KEY_FILE": str(keydir / "jwt_private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(keydir / "jwt_public.pem"),
            "TRAINING_URL": "http://127.0.0.1:9",
            "CIC_URL": "http://127.0.0.1:9",
            "ACCESS_LOG": False,
        }
    )
    with app.app_context():
        db.create_all()
    yield app, keydir, old
    with app.app_context():
        db.engine.dispose()


def _sign_in(client, email="rotate@example.org"):
    r = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Rota"})
    assert r.status_code == 201, r.get_json()
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return r.get_json()["access_token"]


def _me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": "Bearer " + token}).status_code


def _rotate(keydir, new: t.KeyPair):
    """Steps 1-2 of docs/deploying.md: keep the old public key beside the new one, sign with the new."""
    shutil.copy(keydir / "jwt_public.pem", keydir / "jwt_public.previous.pem")
    _write_pair(keydir, new)


def test_jwks_lists_the_current_key_whose_kid_the_tokens_name(rotating_gateway):
    app, _keydir, old = rotating_gateway
    client = app.test_client()
    r = client.get("/.well-known/jwks.json")
    assert r.status_code == 200
    jwks = jwt.PyJWKSet.from_dict(r.get_json())
    assert [k.key_id for k in jwks.keys] == [kid_of_private_pem(old.private)]
    assert all(k.algorithm_name == "RS256" and k.public_key_use == "sig" for k in jwks.keys)
    assert "d" not in r.get_json()["keys"][0]  # never the private half
    token = _sign_in(client)
    kid = jwt.get_unverified_header(token)["kid"]
    claims = jwt.decode(token, jwks[kid].key, algorithms=["RS256"], audience="imatter")
    assert claims["email"] == "rotate@example.org"


def test_kid_is_the_rfc7638_thumbprint():
    # RFC 7638 section 3.1's worked example
    example = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368"
        "QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2"
        "NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
    }
    key = RSAAlgorithm.from_jwk(example)
    assert thumbprint(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert public_jwk(key)["n"] == example["n"]


def test_a_client_token_signed_with_the_old_key_still_works_after_rotation(rotating_gateway):
    app, keydir, _old = rotating_gateway
    client = app.test_client()
    before = _sign_in(client)
    assert _me(client, before) == 200
    new = t.KeyPair()
    _rotate(keydir, new)
    after = client.post("/api/v1/auth/login", json={"email": "rotate@example.org", "password": PASSWORD})
    after = after.get_json()["access_token"]
    assert jwt.get_unverified_header(after)["kid"] == kid_of_private_pem(new.private)
    assert _me(client, before) == 200  # nobody is signed out by the switch
    assert _me(client, after) == 200
    kids = [k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert kids == [kid_of_private_pem(new.private), jwt.get_unverified_header(before)["kid"]]
    (keydir / "jwt_public.previous.pem").unlink()  # step 3: after the token lifetime
    assert _me(client, before) == 401
    assert _me(client, after) == 200


def test_a_token_with_an_unknown_kid_is_refused_even_when_signed_by_a_held_key(rotating_gateway):
    app, _keydir, old = rotating_gateway
    client = app.test_client()
    token = _sign_in(client)
    claims = jwt.decode(token, options={"verify_signature": False})
    relabelled = jwt.encode(claims, old.private, algorithm="RS256", headers={"kid": "not-a-key-we-hold"})
    assert _me(client, relabelled) == 401
    stranger = t.KeyPair()
    forged = jwt.encode(
        claims, stranger.private, algorithm="RS256", headers={"kid": kid_of_private_pem(stranger.private)}
    )
    assert _me(client, forged) == 401


@pytest.fixture
def service_with_two_keys(tmp_path):
    """The real training app, offline: its key set is two local PEM files (current and previous)."""
    from training import create_app
    from training.extensions import db as tdb

    keydir = tmp_path / "service-keys"
    keydir.mkdir()
    old, new = t.KeyPair(), t.KeyPair()
    (keydir / "jwt_public.pem").write_text(new.public)
    (keydir / "jwt_public.previous.pem").write_text(old.public)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/training.db",
            "JWT_PUBLIC_KEY_FILE": str(keydir / "jwt_public.pem"),
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
            "ACCESS_LOG": False,
        }
    )
    with app.app_context():
        tdb.create_all()
    yield app, keydir, old, new
    with app.app_context():
        tdb.engine.dispose()


def _hop(keys: t.KeyPair, kid: str | None):
    claims = jwt.decode(keys.token(user_id="u-rotate"), options={"verify_signature": False})
    headers = {"kid": kid} if kid else None
    return {"Authorization": "Bearer " + jwt.encode(claims, keys.private, algorithm="RS256", headers=headers)}


def test_a_service_accepts_either_key_during_the_overlap_and_refuses_an_unknown_kid(service_with_two_keys):
    app, keydir, old, new = service_with_two_keys
    client = app.test_client()
    path = "/api/v1/people/p-missing"  # needs sign-in: 401 without a valid token, 404 with one
    assert client.get(path).status_code == 401
    assert client.get(path, headers=_hop(old, kid_of_private_pem(old.private))).status_code == 404
    assert client.get(path, headers=_hop(new, kid_of_private_pem(new.private))).status_code == 404
    assert client.get(path, headers=_hop(new, None)).status_code == 404  # no kid: the current key
    assert client.get(path, headers=_hop(old, None)).status_code == 401  # ... and only that one
    assert client.get(path, headers=_hop(old, "unknown-kid")).status_code == 401
    (keydir / "jwt_public.previous.pem").unlink()
    assert client.get(path, headers=_hop(old, kid_of_private_pem(old.private))).status_code == 401


def test_a_service_reads_a_local_jwks_file(tmp_path):
    """JWT_JWKS_FILE: a copy of the gateway's document; an entry whose kid is not its own thumbprint
    is ignored, so a JWKS entry cannot pose as another key."""
    current, previous = t.KeyPair(), t.KeyPair()

    jwk = public_jwk(load_pem_public_key(previous.public.encode()))
    lying = {**public_jwk(load_pem_public_key(t.KeyPair().public.encode())), "kid": "made-up"}
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [jwk, lying]}))
    app = Flask(__name__)
    app.config.update(JWT_PUBLIC_KEY=current.public, JWT_JWKS_FILE=str(tmp_path / "jwks.json"))
    ks = verification_keys(app)
    assert set(ks.by_kid) == {kid_of_private_pem(current.private), jwk["kid"]}
    assert ks.key_for("made-up") is None
