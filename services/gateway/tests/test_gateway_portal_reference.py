"""The portal shows what training's reference endpoints answer instead of a copy of its own:
the pathway calculator's figures come from GET /api/v1/catalogue/roles/{code}/estimate, the
licence texts from GET /api/v1/catalogue/licences. Through the Flask test client against the
real training app on a loopback port."""

from __future__ import annotations

import re

import pytest

from support.portal import HTML, gateway_and_training


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with gateway_and_training(tmp_path_factory.mktemp("reference-portal")) as apps:
        yield apps


def _total(html: str) -> str:
    return re.search(r"<strong data-total[^>]*>([^<]+)</strong>", html).group(1)


def _training(world, path: str) -> dict:
    r = world["training"].test_client().get(path)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _money(pence: int) -> str:
    return f"£{pence // 100:,}" + (f".{pence % 100:02d}" if pence % 100 else "")


def test_the_calculator_shows_the_total_training_computes(world):
    client = world["gateway"].test_client()
    html = client.get("/pathway-calculator?role=lead&have=deep_dive", headers=HTML).get_data(as_text=True)
    estimate = _training(world, "/api/v1/catalogue/roles/lead/estimate?have=deep_dive")
    assert _total(html) == _money(estimate["total"]) == "£700"
    assert re.search(r'<tr data-code="deep_dive" class="is-done">', html)


def test_the_calculator_leaves_out_codes_training_does_not_know(world):
    client = world["gateway"].test_client()
    r = client.get("/pathway-calculator?role=lead&have=deep_dive&have=not_a_code", headers=HTML)
    assert r.status_code == 200
    assert _total(r.get_data(as_text=True)) == "£700"


def test_the_calculator_figures_are_training_s_not_the_portal_s(world, monkeypatch):
    """Whatever training's estimate says is what the page shows: the portal does no sum."""
    from training.rules import pathway

    real = pathway.estimate

    def estimate(code, have=()):
        out = real(code, have)
        return {**out, "total": 123456, "with_prerequisites": 654321}

    monkeypatch.setattr(pathway, "estimate", estimate)
    html = (
        world["gateway"]
        .test_client()
        .get("/pathway-calculator?role=link", headers=HTML)
        .get_data(as_text=True)
    )
    assert _total(html) == "£1,234.56"
    assert "£6,543.21" in html  # from scratch, including the prerequisite role


def test_the_licence_pages_show_training_s_licence_texts(world):
    client = world["gateway"].test_client()
    terms = _training(world, "/api/v1/catalogue/licences")["items"]
    assert [t["type"] for t in terms] == ["starter", "cpd", "enhanced"]
    page = client.get("/licences", headers=HTML).get_data(as_text=True).replace("&#39;", "'")
    home = client.get("/", headers=HTML).get_data(as_text=True).replace("&#39;", "'")
    for t in terms:
        assert f"Phase {t['phase']}: {t['name']}" in page and f"Phase {t['phase']}: {t['name']}" in home
        assert t["subtitle"] in page and t["summary"] in page
        for words in t["includes"] + t["excludes"]:
            assert f"<li>{words}</li>" in page
