"""Absolute session lifetime (security review L3): tokens carry `auth_time` (the password
sign-in); refresh keeps it and refuses (401) once SESSION_MAX_AGE has passed since it."""

import time
import uuid

import jwt

PASSWORD = "Correct-horse-battery-9"


def sign_up(client):
    r = client.post(
        "/api/v1/auth/register", json={"email": "sam@example.org", "password": PASSWORD, "name": "Sam"}
    )
    assert r.status_code == 201
    return r.get_json()


def login(client):
    return client.post(
        "/api/v1/auth/login", json={"email": "sam@example.org", "password": PASSWORD}
    ).get_json()


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def refresh(client, token):
    return client.post("/api/v1/auth/refresh", headers={"Authorization": "Bearer " + token})


def forged(app, user, auth_time):
    now = int(time.time())
    with open(app.config["JWT_PRIVATE_KEY_FILE"]) as fh:
        key = fh.read()
    return jwt.encode(
        {
            "iss": "imatter-gateway",
            "aud": "imatter",
            "sub": user["id"],
            "email": user["email"],
            "name": "Sam",
            "roles": ["learner"],
            "ver": 1,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
            "auth_time": auth_time,
        },
        key,
        algorithm="RS256",
    )


def test_sign_in_sets_auth_time_and_refresh_keeps_it(client):
    sign_up(client)
    first = login(client)["access_token"]
    started = claims(first)["auth_time"]
    assert abs(started - time.time()) < 60
    time.sleep(1.1)
    second = refresh(client, first).get_json()["access_token"]
    third = refresh(client, second).get_json()["access_token"]
    assert claims(second)["auth_time"] == claims(third)["auth_time"] == started
    assert claims(third)["iat"] > started


def test_refresh_is_refused_after_the_session_max_age(app, client, monkeypatch):
    user = sign_up(client)
    max_age = app.config["SESSION_MAX_AGE"]
    assert max_age == 12 * 3600  # the default
    old = forged(app, user, int(time.time()) - max_age - 5)
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer " + old}).status_code == 200
    )  # still valid
    r = refresh(client, old)
    assert r.status_code == 401 and r.headers["Content-Type"] == "application/problem+json"
    young = forged(app, user, int(time.time()) - max_age + 120)
    assert refresh(client, young).status_code == 200
    monkeypatch.setitem(app.config, "SESSION_MAX_AGE", 60)
    assert refresh(client, forged(app, user, int(time.time()) - 61)).status_code == 401


def test_a_token_without_auth_time_counts_from_its_issue_time(app, client):
    user = sign_up(client)
    token = forged(app, user, None)
    token = jwt.encode(
        {k: v for k, v in claims(token).items() if k != "auth_time"},
        open(app.config["JWT_PRIVATE_KEY_FILE"]).read(),
        algorithm="RS256",
    )
    r = refresh(client, token)
    assert r.status_code == 200
    assert claims(r.get_json()["access_token"])["auth_time"] == claims(token)["iat"]
