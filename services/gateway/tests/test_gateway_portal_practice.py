"""The practicum oversight page (pages/cic_practice.py) is reachable: a named overseer finds it
from their account page (it was linked from nowhere, so an overseer had to be told its address
before they could accept), and it renders for a signed-in user, with the real training and
cic-tracker apps behind the gateway."""

from __future__ import annotations

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_portal_world_practice", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world  # world: a fixture


def test_the_account_page_links_to_practicum_oversight_which_renders(world):
    olu = Visitor(world, "Olu Overseer")
    account = olu.get("/account").get_data(as_text=True)
    assert 'href="/practice/oversight"' in account
    page = olu.get("/practice/oversight")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Practicum oversight and sign-off" in html and "You have no microprojects to oversee" in html
