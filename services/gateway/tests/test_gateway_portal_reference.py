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


def test_the_reference_reads_give_training_s_tables(world):
    from gateway.portal import reference
    from training.rules import funding, membership, practitioner_licence, stage

    with world["gateway"].test_request_context("/"):
        assert reference.stages() == stage.STAGES
        assert reference.fundings("package") == [
            (c, label) for c, (label, _) in funding.PACKAGE_FUNDINGS.items()
        ]
        assert [code for code, _ in reference.fundings("learner_enrolment")] == ["self", "package"]
        assert reference.membership_roles() == list(membership.MEMBER_ROLE_LABELS.items())
        requirements = _training(world, "/api/v1/catalogue/requirements?per_page=100")["items"]
        assert reference.self_booked() == {q["code"] for q in requirements if q["self_booked"]}
        assert "deep_dive" in reference.self_booked() and "practicum" not in reference.self_booked()
        states = reference.practitioner_licence_states()
        assert set(states) == set(practitioner_licence.STATES)
        assert states["paused"]["note"] == practitioner_licence.STATE_NOTES["paused"]
        assert [a for a, _ in states["paused"]["actions"]] == practitioner_licence.holder_actions("paused")


def test_the_reference_reads_with_the_services_down(app):
    """Nothing is made up: no licences, no stages, no choices, no score range."""
    from gateway.portal import reference

    with app.test_request_context("/"):
        assert reference.licences() is None and reference.licence("starter") is None
        assert reference.stages() == {} and reference.fundings("enrolment") == []
        assert reference.membership_roles() is None and reference.self_booked() == set()
        assert reference.tracker_scale() is None and reference.review_scale() is None
        assert reference.scale_attrs(None) == "" and reference.scale_words(None) == ""


@pytest.fixture
def cic_world(tmp_path):
    """The gateway with the real cic-tracker app answering on a loopback port."""
    from cic_tracker import create_app as cic_app
    from cic_tracker.extensions import db as cdb
    from gateway import create_app as gateway_app
    from support.portal import serve

    gw = gateway_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/gateway.db",
            "JWT_PRIVATE_KEY_FILE": str(tmp_path / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(tmp_path / "public.pem"),
            "TRAINING_URL": "http://127.0.0.1:9",
            "CIC_URL": "http://127.0.0.1:9",
            "ACCESS_LOG": False,
        }
    )
    cic = cic_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/cic.db",
            "JWT_PUBLIC_KEY": (tmp_path / "public.pem").read_text(),
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "cic-events.db"),
            "ACCESS_LOG": False,
        }
    )
    server = serve(cic)
    gw.config["CIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield gw
    finally:
        server.shutdown()
        with cic.app_context():
            cdb.engine.dispose()


def test_the_score_ranges_are_cic_tracker_s(cic_world, monkeypatch):
    from cic_tracker.rules import fund, tracker
    from gateway.portal import reference

    with cic_world.test_request_context("/"):
        scale = reference.tracker_scale()
        assert scale == {"min": tracker.SCORE_MIN, "max": tracker.SCORE_MAX, "step": 1}
        assert reference.scale_attrs(scale) == f'min="{tracker.SCORE_MIN}" max="{tracker.SCORE_MAX}" step="1"'
        assert reference.scale_words(scale) == f" from {tracker.SCORE_MIN} to {tracker.SCORE_MAX}"
        assert reference.review_scale() == {
            "min": fund.REVIEW_SCORE_MIN,
            "max": fund.REVIEW_SCORE_MAX,
            "step": 1,
        }
    monkeypatch.setattr(tracker, "SCORE_MAX", 7)  # a new rule in cic-tracker: the portal follows it
    with cic_world.test_request_context("/"):
        assert reference.tracker_scale()["max"] == 7
