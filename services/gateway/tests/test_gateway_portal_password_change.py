"""Changing the password while signed in (portal coverage gap of issue 21; gateway POST
/api/v1/auth/password): errors at their fields (current password wrong, the new one weak or not
repeated), nothing changed by a refusal; on success this session ends and only the new password
signs in."""

from __future__ import annotations

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_portal_world_pw", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world, csrf_of = (
    _world.Visitor,
    _world.one_h1_and_labels,
    _world.world,
    _world.csrf_of,
)
PASSWORD = _world.PASSWORD
NEW = "Another-long-passphrase-2"


def _sign_in(world, email: str, password: str) -> int:
    c = world["gateway"].test_client()
    token = csrf_of(c.get("/sign-in"))
    return c.post("/sign-in", data={"csrf_token": token, "email": email, "password": password}).status_code


def test_a_signed_in_user_changes_their_password(world):
    ada = Visitor(world, "Ada Learner")
    assert "/account/password" in ada.get("/account").get_data(as_text=True)
    page = ada.get("/account/password")
    assert page.status_code == 200
    one_h1_and_labels(page.get_data(as_text=True))

    r = ada.post(
        "/account/password", {"current_password": "wrong", "new_password": NEW, "password_confirm": NEW}
    )
    assert r.status_code == 400 and 'id="current_password-error"' in r.get_data(as_text=True)
    r = ada.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW, "password_confirm": NEW + "x"},
    )
    assert r.status_code == 400 and 'id="password_confirm-error"' in r.get_data(as_text=True)
    r = ada.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "password_confirm": "short"},
    )
    assert r.status_code == 400 and 'id="new_password-error"' in r.get_data(as_text=True)
    assert _sign_in(world, ada.email, PASSWORD) == 302  # nothing changed yet

    r = ada.post(
        "/account/password", {"current_password": PASSWORD, "new_password": NEW, "password_confirm": NEW}
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/sign-in")
    # this session is over; only the new password signs in
    assert ada.get("/account").status_code == 302
    assert _sign_in(world, ada.email, PASSWORD) == 400
    assert _sign_in(world, ada.email, NEW) == 302
