"""Accounts and tokens at the gateway, through its HTTP API."""

import time

import jwt
import pytest

PASSWORD = "Plenty-long-passphrase-1"


def register(client, email="ada@example.org", password=PASSWORD, name="Ada"):
    return client.post("/api/v1/auth/register", json={"email": email, "password": password, "name": name})


def login(client, email="ada@example.org", password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_register_login_me(client):
    r = register(client)
    assert r.status_code == 201
    assert r.json["email"] == "ada@example.org" and "password" not in r.json
    r = login(client, email="ADA@example.org")
    assert r.status_code == 200
    assert r.json["token_type"] == "Bearer" and r.json["expires_in"] > 0
    me = client.get("/api/v1/me", headers=bearer(r.json["access_token"]))
    assert me.status_code == 200
    assert me.json["email"] == "ada@example.org"
    assert "learner" in me.json["roles"]
    assert me.json["person_id"] is None and me.json["organisation_ids"] == []


def test_token_is_rs256_with_audience_and_expiry(client, app):
    register(client)
    token = login(client).json["access_token"]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "RS256"
    assert claims["aud"] == "imatter" and claims["exp"] > time.time()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"email": "not-an-email", "password": PASSWORD, "name": "A"}, "email"),
        ({"email": "a@example.org", "password": PASSWORD}, "name"),
        ({"email": "a@example.org", "password": "short", "name": "A"}, "password"),
        ({"email": "a@example.org", "password": "password123", "name": "A"}, "password"),
    ],
)
def test_register_refuses_bad_input_naming_the_field(client, body, field):
    r = client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"
    assert field in r.json["errors"]


def test_malformed_json_is_a_400_problem(client):
    r = client.post("/api/v1/auth/register", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"
    assert "body" in r.json["errors"]


def test_duplicate_email_changes_nothing_and_is_not_revealed(client):
    assert register(client).status_code == 201
    r = register(client, name="Impostor", password="Another-long-pass-2")
    assert r.status_code == 201  # answered like a new sign-up (no account enumeration, L10)
    assert login(client).status_code == 200  # the original password still works
    assert login(client, password="Another-long-pass-2").status_code == 401


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    register(client)
    a = login(client, password="Wrong-password-123")
    b = login(client, email="nobody@example.org")
    assert a.status_code == b.status_code == 401
    assert a.json["detail"] == b.json["detail"]


def test_bad_and_missing_tokens(client):
    assert client.get("/api/v1/me").status_code == 401
    r = client.get("/api/v1/me", headers=bearer("not.a.token"))
    assert r.status_code == 401 and r.headers["Content-Type"] == "application/problem+json"
    # a token signed with the wrong algorithm is refused (allow-list)
    forged = jwt.encode(
        {"sub": "x", "aud": "imatter", "iss": "imatter-gateway", "exp": time.time() + 60, "iat": time.time()},
        "an-hmac-secret-that-is-long-enough-32b",
        algorithm="HS256",
    )
    assert client.get("/api/v1/me", headers=bearer(forged)).status_code == 401


def test_logout_revokes_the_token(client):
    register(client)
    token = login(client).json["access_token"]
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    # forwarding refuses it too, before any service sees it
    assert client.get("/api/v1/catalogue/courses", headers=bearer(token)).status_code == 401


def test_password_change_revokes_older_tokens(client):
    register(client)
    old = login(client).json["access_token"]
    r = client.post(
        "/api/v1/auth/password",
        headers=bearer(old),
        json={"current_password": PASSWORD, "new_password": "A-brand-new-passphrase-9"},
    )
    assert r.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(old)).status_code == 401
    assert login(client).status_code == 401
    assert login(client, password="A-brand-new-passphrase-9").status_code == 200


def test_refresh_issues_a_new_token_and_retires_the_old(client):
    register(client)
    old = login(client).json["access_token"]
    r = client.post("/api/v1/auth/refresh", headers=bearer(old))
    assert r.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(r.json["access_token"])).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(old)).status_code == 401


def test_seeded_staff_accounts(app, client, monkeypatch):
    from gateway.cli import seed_staff

    monkeypatch.setitem(app.config, "IMATTER_ADMIN_PASSWORD", "Staff-password-for-tests")
    seed_staff(echo=lambda *_: None)
    seed_staff(echo=lambda *_: None)  # idempotent
    token = login(client, "training-admin@imatter.local", "Staff-password-for-tests").json["access_token"]
    assert "training_admin" in client.get("/api/v1/me", headers=bearer(token)).json["roles"]
    token = login(client, "cic-admin@imatter.local", "Staff-password-for-tests").json["access_token"]
    assert {"cic_staff", "fund_reviewer"} <= set(
        client.get("/api/v1/me", headers=bearer(token)).json["roles"]
    )
    token = login(client, "fund-reviewer@imatter.local", "Staff-password-for-tests").json["access_token"]
    me = client.get("/api/v1/me", headers=bearer(token)).json
    assert "fund_reviewer" in me["roles"] and "cic_staff" not in me["roles"] and me["email_verified"] is True


def test_staff_roles_are_granted_and_revoked_by_the_operator_on_verified_accounts(app, client):
    from gateway.extensions import db
    from gateway.models import User

    runner = app.test_cli_runner()
    email = "rae.fictional-reviewer@example.org"
    assert (
        client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": "correct horse 42 battery", "name": "Rae Fictional"},
        ).status_code
        == 201
    )
    refused = runner.invoke(args=["staff-role", "grant", email, "fund_reviewer"])
    assert refused.exit_code != 0 and "verified" in refused.output  # an unproven address gets no role
    user = db.session.scalar(db.select(User).where(User.email == email))
    user.email_verified = True
    db.session.commit()
    assert runner.invoke(args=["staff-role", "grant", email, "fund_reviewer"]).exit_code == 0
    token = login(client, email, "correct horse 42 battery").json["access_token"]
    assert "fund_reviewer" in client.get("/api/v1/me", headers=bearer(token)).json["roles"]
    assert runner.invoke(args=["staff-role", "revoke", email, "fund_reviewer"]).exit_code == 0
    # the same token: the role is read fresh on the next request
    assert "fund_reviewer" not in client.get("/api/v1/me", headers=bearer(token)).json["roles"]
    assert runner.invoke(args=["staff-role", "grant", email, "superuser"]).exit_code != 0


def test_seeding_without_a_password_generates_and_prints_one(app, client, monkeypatch):
    from gateway.cli import seed_staff

    monkeypatch.setitem(app.config, "IMATTER_ADMIN_PASSWORD", None)
    said = []
    seed_staff(echo=said.append)
    assert len(said) == 1
    password = said[0].split("'")[1]
    assert login(client, "training-admin@imatter.local", password).status_code == 200
    said.clear()
    seed_staff(echo=said.append)
    assert said == []  # printed once only
