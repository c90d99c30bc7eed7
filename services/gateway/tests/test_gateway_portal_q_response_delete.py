"""A learner deletes their own informal I Matter Q answers from the result page (portal coverage
gap of issue 21; training DELETE /api/v1/training/q/responses/{id}); nobody else can."""

from __future__ import annotations

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_portal_world_qd", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world, q_answers, HTML = (
    _world.Visitor,
    _world.one_h1_and_labels,
    _world.world,
    _world.q_answers,
    _world.HTML,
)


def test_a_learner_deletes_their_own_q_answers(world):
    lee = Visitor(world, "Lee Learner")
    answers = q_answers(lee.get("/learning/imatter-q").get_data(as_text=True), 0)
    r = lee.post("/learning/imatter-q", answers)
    assert r.status_code == 302
    result_url = r.headers["Location"].split("#")[0]
    html = lee.client.get(result_url, headers=HTML).get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Delete these answers" in html

    sam = Visitor(world, "Sam Other")
    assert sam.post(f"{result_url}/delete", {}, page="/learning/imatter-q").status_code == 404
    assert lee.client.get(result_url, headers=HTML).status_code == 200  # still there

    r = lee.post(f"{result_url}/delete", {}, page=result_url)
    assert r.status_code == 302 and r.headers["Location"].endswith("/learning/imatter-q#past")
    html = lee.get("/learning/imatter-q").get_data(as_text=True)
    assert "Your answers and their results are deleted." in html
    assert "You have not answered the I Matter Q yet." in html
    assert lee.client.get(result_url, headers=HTML).status_code == 404
