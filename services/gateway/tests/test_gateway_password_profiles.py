"""Password hashing profiles: a real installation hashes with argon2id's standard cost; the
test suite's weak profile is a setting that must be asked for, and a hash made under it is
replaced by a standard one at the next sign-in."""

import argon2
import pytest
from argon2.profiles import RFC_9106_LOW_MEMORY

from gateway import create_app, passwords
from gateway.extensions import db
from gateway.models import User


def _app(tmp_path, **config):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/g.db",
            "JWT_PRIVATE_KEY_FILE": str(tmp_path / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(tmp_path / "public.pem"),
            "ACCESS_LOG": False,
            **config,
        }
    )


def test_the_default_profile_is_argon2id_at_its_standard_cost(tmp_path, monkeypatch):
    monkeypatch.delenv("PASSWORD_HASH_PROFILE", raising=False)
    app = _app(tmp_path)
    assert app.config["PASSWORD_HASH_PROFILE"] == "standard"
    with app.app_context():
        stored = passwords.hash_password("correct horse battery")
    params = argon2.extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (params.time_cost, params.memory_cost, params.parallelism) == (
        RFC_9106_LOW_MEMORY.time_cost,
        RFC_9106_LOW_MEMORY.memory_cost,
        RFC_9106_LOW_MEMORY.parallelism,
    )


def test_an_unknown_profile_stops_the_app_from_starting(tmp_path):
    with pytest.raises(ValueError, match="PASSWORD_HASH_PROFILE"):
        _app(tmp_path, PASSWORD_HASH_PROFILE="md5")


def test_the_weak_profile_is_refused_outside_the_test_suite(tmp_path, monkeypatch):
    monkeypatch.delenv("IMATTER_TEST_SUITE", raising=False)
    with pytest.raises(ValueError, match="test suite only"):
        _app(tmp_path, TESTING=False, PASSWORD_HASH_PROFILE="fast-for-tests")
    assert _app(tmp_path, TESTING=True, PASSWORD_HASH_PROFILE="fast-for-tests").config[
        "PASSWORD_HASH_PROFILE"
    ]


def test_a_weak_hash_verifies_under_standard_and_is_replaced_at_the_next_sign_in(tmp_path):
    fast = _app(tmp_path, PASSWORD_HASH_PROFILE="fast-for-tests")
    with fast.app_context():
        db.create_all()
        weak = passwords.hash_password("correct horse battery")
        db.session.add(
            User(email="weak@example.org", name="Weak Hash", password_hash=weak, email_verified=True)
        )
        db.session.commit()
        assert not passwords.needs_rehash(weak)
    assert argon2.extract_parameters(weak).time_cost == 1

    standard = _app(tmp_path, PASSWORD_HASH_PROFILE="standard")
    with standard.app_context():
        assert passwords.verify(weak, "correct horse battery")
        assert passwords.needs_rehash(weak)
    r = standard.test_client().post(
        "/api/v1/auth/login", json={"email": "weak@example.org", "password": "correct horse battery"}
    )
    assert r.status_code == 200, r.get_json()
    with standard.app_context():
        rehashed = db.session.execute(db.select(User.password_hash)).scalar_one()
    assert rehashed != weak
    assert argon2.extract_parameters(rehashed).memory_cost == RFC_9106_LOW_MEMORY.memory_cost
