"""The credential signing key is a deployment secret (decision 0052): a process given a key file
that is missing refuses to start instead of making its own (every replica, and every rollout,
would otherwise sign with a different key and earlier credentials would stop verifying). Only the
development key under IMATTER_VAR_DIR (`make run`) is made on first use."""

import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from training import create_app
from training.services import issuer_keys


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("CREDENTIALS_KEY_FILE", "CREDENTIALS_KEY_GENERATE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path / "var"))
    return monkeypatch


def _app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'training.db'}",
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
            "ACCESS_LOG": False,
        }
    )


def _pem(path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def test_a_named_key_file_that_is_missing_stops_the_service_at_start(env, tmp_path):
    missing = tmp_path / "secrets" / "credentials_issuer.pem"
    env.setenv("CREDENTIALS_KEY_FILE", str(missing))
    with pytest.raises(issuer_keys.SigningKeyMissing) as raised:
        _app(tmp_path)
    assert str(missing) in str(raised.value) and "make-secrets.sh" in str(raised.value)
    assert not missing.exists()  # none made


def test_a_named_key_file_is_used_as_it_is(env, tmp_path):
    key = tmp_path / "credentials_issuer.pem"
    _pem(key)
    before = key.read_bytes()
    env.setenv("CREDENTIALS_KEY_FILE", str(key))
    app = _app(tmp_path)
    with app.app_context():
        [jwk] = issuer_keys.jwks()["keys"]
        assert jwk["kid"] == issuer_keys.signing_kid()
    assert key.read_bytes() == before


def test_a_container_given_no_key_starts_but_never_makes_one(env, tmp_path):
    """The images set CREDENTIALS_KEY_GENERATE=0: the relay, consumer, mailer and scheduler get no
    key (they sign nothing) and start; signing there fails with the same clear message."""
    env.setenv("CREDENTIALS_KEY_GENERATE", "0")
    app = _app(tmp_path)
    with app.app_context(), pytest.raises(issuer_keys.SigningKeyMissing):
        issuer_keys.sign({"iss": "x"})
    assert not os.path.exists(tmp_path / "var" / "keys" / "credentials_issuer.pem")


def test_the_development_key_is_made_on_first_use_under_the_var_dir(env, tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        assert issuer_keys.sign({"iss": "x"}).count(".") == 2
    assert os.path.exists(tmp_path / "var" / "keys" / "credentials_issuer.pem")
