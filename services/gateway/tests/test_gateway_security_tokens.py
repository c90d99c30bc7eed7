"""Access tokens: RS256 only (no alg confusion, no "none"), audience, issuer, expiry and
subject required, signature by the gateway's own key, revocation on logout, refresh and
password change; generic sign-in failures."""

import time
import uuid

import jwt
import pytest

PASSWORD = "Correct-horse-battery-9"


@pytest.fixture
def user(client):
    r = client.post(
        "/api/v1/auth/register", json={"email": "ada@example.org", "password": PASSWORD, "name": "Ada"}
    )
    assert r.status_code == 201
    return r.get_json()


def login(client, email="ada@example.org", password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def claims_for(user, **overrides):
    now = int(time.time())
    claims = {
        "iss": "imatter-gateway",
        "aud": "imatter",
        "sub": user["id"],
        "email": user["email"],
        "name": "Ada",
        "roles": ["learner"],
        "ver": 1,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def private_key(app):
    with open(app.config["JWT_PRIVATE_KEY_FILE"]) as fh:
        return fh.read()


def public_key(app):
    with open(app.config["JWT_PUBLIC_KEY_FILE"]) as fh:
        return fh.read()


def assert_401(r):
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/problem+json"


def test_a_well_formed_token_signed_by_the_gateway_is_accepted(app, client, user):
    token = jwt.encode(claims_for(user), private_key(app), algorithm="RS256")
    assert me(client, token).status_code == 200
    issued = login(client).get_json()
    header = jwt.get_unverified_header(issued["access_token"])
    assert header["alg"] == "RS256"
    body = jwt.decode(issued["access_token"], options={"verify_signature": False})
    assert body["aud"] == "imatter" and body["exp"] - body["iat"] == issued["expires_in"] <= 3600


def test_algorithm_confusion_with_the_public_key_as_hmac_secret_is_refused(app, client, user):
    import base64
    import hashlib
    import hmac
    import json

    def b64(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims_for(user)).encode())
    sig = hmac.new(public_key(app).encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert_401(me(client, f"{head}.{body}.{b64(sig)}"))


def test_an_unsigned_token_is_refused(client, user):
    token = jwt.encode(claims_for(user), None, algorithm="none")
    assert_401(me(client, token))


def test_a_token_signed_by_another_key_is_refused(client, user):
    from support.testing import KeyPair

    assert_401(me(client, jwt.encode(claims_for(user), KeyPair().private, algorithm="RS256")))


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-else"},
        {"iss": "not-the-gateway"},
        {"exp": int(time.time()) - 120},
        {"exp": None},
        {"aud": None},
        {"sub": None},
        {"ver": 99},
    ],
    ids=["audience", "issuer", "expired", "no-exp", "no-aud", "no-sub", "old-version"],
)
def test_tokens_with_wrong_or_missing_claims_are_refused(app, client, user, overrides):
    assert_401(me(client, jwt.encode(claims_for(user, **overrides), private_key(app), algorithm="RS256")))


def test_logout_revokes_the_token_at_once_and_only_that_token(client, user):
    first = login(client).get_json()["access_token"]
    second = login(client).get_json()["access_token"]
    r = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert r.status_code == 204
    assert_401(me(client, first))
    assert_401(client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"}))
    assert me(client, second).status_code == 200


def test_refresh_gives_a_new_token_and_revokes_the_old(client, user):
    old = login(client).get_json()["access_token"]
    r = client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 200
    new = r.get_json()["access_token"]
    assert_401(me(client, old))
    assert me(client, new).status_code == 200


def test_a_password_change_ends_every_earlier_token(client, user):
    a = login(client).get_json()["access_token"]
    b = login(client).get_json()["access_token"]
    r = client.post(
        "/api/v1/auth/password",
        headers={"Authorization": f"Bearer {a}"},
        json={"current_password": PASSWORD, "new_password": "A-new-long-passphrase-7"},
    )
    assert r.status_code == 204
    assert_401(me(client, a))
    assert_401(me(client, b))
    fresh = login(client, password="A-new-long-passphrase-7").get_json()["access_token"]
    assert me(client, fresh).status_code == 200


def test_sign_in_failures_do_not_say_which_part_was_wrong(client, user):
    wrong_password = login(client, password="Wrong-password-123")
    unknown_email = login(client, email="nobody@example.org")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_json()["detail"] == unknown_email.get_json()["detail"]
    assert "ada@example.org" not in wrong_password.get_data(as_text=True)


def test_a_malformed_authorization_header_is_401(client):
    assert_401(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}))
    assert_401(client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.jwt"}))
