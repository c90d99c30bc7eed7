"""The questionnaire engine (shared) and training's reflective-tool rules: pure functions."""

import json
import os
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imatter_shared.questionnaires import (
    AnswerErrors,
    ContentError,
    check_answers,
    parse_document,
    read_file,
    score,
)
from imatter_shared.questionnaires.content import checksum
from training.rules import reflective as rules
from training.rules.catalogue import COURSES_BY_CODE

CONTENT = os.path.join(os.path.dirname(__file__), "..", "..", "content")

DOC = {
    "instrument": "imatter_q",
    "version": "t-1",
    "title": "Test Q",
    "sample": True,
    "notice": "sample questions",
    "scales": [
        {
            "code": "s3",
            "options": [
                {"value": 0, "label": "No"},
                {"value": 1, "label": "Some"},
                {"value": 2, "label": "Yes"},
            ],
        }
    ],
    "sections": [
        {
            "code": "a",
            "title": "A",
            "suggests": ["foundation_a1"],
            "questions": [
                {"code": "a1", "text": "Q a1", "scale": "s3"},
                {"code": "a2", "text": "Q a2", "scale": "s3", "reverse": True},
            ],
        },
        {
            "code": "b",
            "title": "B",
            "suggests": ["intermediate_a", "foundation_a1"],
            "questions": [{"code": "b1", "text": "Q b1", "scale": "s3", "required": False}],
        },
    ],
}


def test_every_shipped_sample_parses_and_says_it_is_a_sample():
    for name in rules.SAMPLE_CONTENT_FILES + (
        "../../cic-tracker/content/imatter_q_formal_sample.json",
        "../../cic-tracker/content/wellbeing_wheel_sample.json",
    ):
        content = parse_document(read_file(os.path.join(CONTENT, name)))
        assert content["sample"] is True
        assert "SAMPLE" in content["notice"] and "organisation's own" in content["notice"]
        assert rules.unknown_suggestions(content, COURSES_BY_CODE) == []


def test_content_problems_are_all_listed():
    bad = json.loads(json.dumps(DOC))
    bad["version"] = "has space"
    bad["sections"][0]["questions"][1]["code"] = "a1"  # duplicate question
    bad["sections"][1]["questions"][0]["scale"] = "nope"  # unknown scale
    bad["notice"] = None  # a sample must say so
    with pytest.raises(ContentError) as raised:
        parse_document(bad)
    text = " | ".join(raised.value.problems)
    for expected in ("version", "duplicate question", "scale", "notice"):
        assert expected in text


def test_instrument_must_belong_to_the_service():
    with pytest.raises(ContentError, match="this service holds"):
        parse_document({**DOC, "instrument": "wellbeing_wheel"}, instruments=rules.INSTRUMENTS)


def test_checksum_is_stable_and_content_sensitive():
    a, b = parse_document(DOC), parse_document(json.loads(json.dumps(DOC)))
    assert checksum(a) == checksum(b)
    changed = json.loads(json.dumps(DOC))
    changed["sections"][0]["questions"][0]["text"] = "Reworded"
    assert checksum(parse_document(changed)) != checksum(a)


def test_answers_are_checked_against_the_version():
    content = parse_document(DOC)
    with pytest.raises(AnswerErrors) as raised:
        check_answers(content, {"a1": 3, "zz": 1, "b1": True})
    assert set(raised.value.errors) == {"answers.a1", "answers.zz", "answers.b1", "answers.a2"}
    assert check_answers(content, {"a1": 2, "a2": 0}) == {"a1": 2, "a2": 0}  # b1 is optional


def test_scores_by_section_with_reverse_items_and_bands():
    content = parse_document(DOC)
    sections = {s["code"]: s for s in score(content, {"a1": 2, "a2": 0, "b1": 0})}
    assert sections["a"]["score"] == 4 and sections["a"]["max"] == 4 and sections["a"]["percent"] == 100
    assert sections["a"]["band"] == "secure" and sections["a"]["suggest"] is False
    assert sections["b"]["percent"] == 0 and sections["b"]["band"] == "emerging" and sections["b"]["suggest"]
    unanswered = {s["code"]: s for s in score(content, {"a1": 1, "a2": 1})}["b"]
    assert unanswered["answered"] == 0 and unanswered["suggest"] is False


@given(st.lists(st.integers(0, 2), min_size=3, max_size=3))
def test_percent_is_always_within_0_and_100(values):
    content = parse_document(DOC)
    for s in score(content, dict(zip(("a1", "a2", "b1"), values))):
        assert 0 <= s["percent"] <= 100 and s["min"] <= s["score"] <= s["max"]


def test_suggestions_weakest_first_without_completed_courses():
    content = parse_document(DOC)
    sections = score(content, {"a1": 1, "a2": 1, "b1": 0})  # a: 50% developing, b: 0% emerging
    steps = rules.suggestions(sections, content["sections"], set(), COURSES_BY_CODE)
    assert [s["course_code"] for s in steps] == ["intermediate_a", "foundation_a1"]
    steps = rules.suggestions(sections, content["sections"], {"intermediate_a"}, COURSES_BY_CODE)
    assert [s["course_code"] for s in steps] == ["foundation_a1"]


def test_no_weak_section_suggests_the_next_step_of_the_journey():
    content = parse_document(DOC)
    sections = score(content, {"a1": 2, "a2": 0, "b1": 2})
    steps = rules.suggestions(sections, content["sections"], {"awareness"}, COURSES_BY_CODE)
    assert [s["course_code"] for s in steps] == ["foundation_a1"]


def test_licence_and_audit_and_registration_rules():
    now = datetime(2026, 11, 1)
    assert rules.licence_status(now - timedelta(days=1), now + timedelta(days=1), None, now) == "active"
    assert rules.licence_status(now - timedelta(days=2), now - timedelta(days=1), None, now) == "expired"
    assert rules.licence_status(now - timedelta(days=1), now + timedelta(days=1), now, now) == "revoked"
    assert rules.audit_unmet(False, False) == ["community_wheel_licence"]
    assert rules.audit_unmet(True, False) == [] and rules.audit_unmet(False, True) == []
    assert rules.grant_unmet("organisation", False) == ["starter_licence"]
    assert rules.grant_unmet("person", False) == []
    assert rules.registration_unmet("personal", False, False) == []
    assert rules.registration_unmet("professional", True, True) == [
        "personal_learner",
        "no_online_account",
        "one_registration",
    ]
    assert (
        rules.Q_REGISTRATION["optional"] is True and "price" not in rules.Q_REGISTRATION
    )  # in the price book
