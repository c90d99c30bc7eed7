"""decode_token remembers tokens it verified (performance), and that changes no answer: expiry is
checked on every call, a token verified with one key is not accepted with another, and any
altered token is refused however often its genuine twin was accepted."""

import time

import jwt
import pytest

from imatter_shared.web import auth
from support import testing as t


def _token(keys, **over):
    return keys.headers(user_id="u-cache", email="cache@example.org", roles=["learner"], **over)[
        "Authorization"
    ].split()[1]


def test_a_remembered_token_still_expires(monkeypatch):
    keys = t.KeyPair()
    token = _token(keys)
    first = auth.decode_token(token, keys.public)
    assert auth.decode_token(token, keys.public) == first  # from memory, same claims
    real = time.time
    monkeypatch.setattr(auth.time, "time", lambda: first["exp"] + auth.LEEWAY + 1)
    with pytest.raises(jwt.ExpiredSignatureError):
        auth.decode_token(token, keys.public)
    monkeypatch.setattr(auth.time, "time", real)
    assert auth.decode_token(token, keys.public)["sub"] == "u-cache"


def test_a_remembered_token_is_refused_with_another_key():
    keys, other = t.KeyPair(), t.KeyPair()
    token = _token(keys)
    auth.decode_token(token, keys.public)
    with pytest.raises(jwt.InvalidSignatureError):
        auth.decode_token(token, other.public)


def test_an_altered_token_is_refused_after_the_genuine_one_was_accepted():
    keys = t.KeyPair()
    token = _token(keys)
    auth.decode_token(token, keys.public)
    head, body, sig = token.split(".")
    forged_sig = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    for bad in (f"{head}.{body}.{forged_sig}", f"{head}.{body}x.{sig}", token + "."):
        with pytest.raises(jwt.InvalidTokenError):
            auth.decode_token(bad, keys.public)


def test_claims_handed_out_are_copies():
    keys = t.KeyPair()
    token = _token(keys)
    auth.decode_token(token, keys.public)["sub"] = "someone-else"
    assert auth.decode_token(token, keys.public)["sub"] == "u-cache"
