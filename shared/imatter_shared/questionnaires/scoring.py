"""Answers against one version of content, and section scores. Pure functions.

A section's score is the sum of its answered questions' values (a `reverse` question counts
max + min - value, so a high score always means the same direction); `percent` places it
between the lowest and highest possible sums of the questions answered; the band is the
first whose `below` exceeds the percentage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .content import questions_of


class AnswerErrors(ValueError):
    """Field errors, keyed `answers.<question>` (ready for a 400 problem+json)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} answer problem(s)")


def check_answers(content: dict, answers: Any) -> dict[str, int]:
    """The answers as {question: value}, or AnswerErrors naming each bad one. Every required
    question must be answered, with a value of its scale; unknown questions are refused."""
    if not isinstance(answers, Mapping):
        raise AnswerErrors({"answers": ["An object of question code -> value."]})
    questions = questions_of(content)
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for code, value in answers.items():
        q = questions.get(code)
        if q is None:
            errors[f"answers.{code}"] = ["Not a question of this version."]
            continue
        allowed = [o["value"] for o in q["scale_def"]["options"]]
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            errors[f"answers.{code}"] = [f"One of {allowed}."]
            continue
        clean[code] = value
    for code, q in questions.items():
        if q["required"] and code not in answers:
            errors[f"answers.{code}"] = ["Required."]
    if errors:
        raise AnswerErrors(errors)
    return clean


def band_for(bands: list[dict], percent: int) -> dict:
    for b in bands:
        if b["below"] is None or percent < b["below"]:
            return b
    return bands[-1]


def score(content: dict, answers: Mapping[str, int]) -> list[dict]:
    """Per section: {code, title, answered, score, min, max, percent, band, band_label, suggest}."""
    questions = questions_of(content)
    out = []
    for section in content["sections"]:
        total = low = high = answered = 0
        for q in section["questions"]:
            if q["code"] not in answers:
                continue
            values = [o["value"] for o in questions[q["code"]]["scale_def"]["options"]]
            lo, hi = min(values), max(values)
            v = answers[q["code"]]
            total += (hi + lo - v) if q["reverse"] else v
            low, high, answered = low + lo, high + hi, answered + 1
        percent = round(100 * (total - low) / (high - low)) if high > low else 0
        band = band_for(content["bands"], percent)
        out.append(
            {
                "code": section["code"],
                "title": section["title"],
                "answered": answered,
                "score": total,
                "min": low,
                "max": high,
                "percent": percent,
                "band": band["code"],
                "band_label": band["label"],
                "suggest": band["suggest"] and answered > 0,
            }
        )
    return out
