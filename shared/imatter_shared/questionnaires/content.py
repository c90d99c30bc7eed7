"""Questionnaire content: read a file, validate it, normalise it. Pure (no Flask, no DB).

A document (JSON, or YAML where PyYAML is installed):

    {"instrument": "imatter_q", "version": "sample-1", "title": "...",
     "sample": true, "notice": "sample questions - the real I Matter Q is the organisation's own",
     "scales": [{"code": "often5", "options": [{"value": 0, "label": "Never"}, ...]}],
     "bands": [{"code": "emerging", "label": "...", "below": 40, "suggest": true}, ...,
               {"code": "secure", "label": "...", "suggest": false}],
     "sections": [{"code": "...", "title": "...", "description": "...", "suggests": ["course_code"],
                   "questions": [{"code": "...", "text": "...", "scale": "often5",
                                  "reverse": false, "required": true}]}]}

Bands split a section's percentage (0-100): the first band whose `below` is greater than
the percentage applies; the last band has no `below`. `suggest` marks the bands where a
service offers next steps. Codes are short identifiers, unique within their kind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any

CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
MAX_QUESTIONS = 200
MAX_TEXT = 1000

DEFAULT_BANDS = [
    {"code": "emerging", "label": "Emerging: a place to start", "below": 40, "suggest": True},
    {"code": "developing", "label": "Developing", "below": 70, "suggest": True},
    {"code": "secure", "label": "Secure", "below": None, "suggest": False},
]


class ContentError(ValueError):
    """The document is not valid questionnaire content; `problems` lists each reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def read_file(path: str) -> dict:
    """Load a .json, .yaml or .yml file into a plain dict (not yet validated)."""
    ext = os.path.splitext(path)[1].lower()
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if ext in (".yaml", ".yml"):
        try:
            import yaml  # optional (PyYAML): imported only when a YAML file is loaded
        except ImportError:  # PyYAML is optional: JSON always works
            raise ContentError(["YAML content needs PyYAML installed; use a .json file instead"]) from None
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ContentError([f"not valid YAML: {exc}"]) from None
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContentError([f"not valid JSON: {exc}"]) from None
    if not isinstance(doc, dict):
        raise ContentError(["the document must be an object"])
    return doc


def checksum(content: dict) -> str:
    """Stable hash of normalised content: the same content loaded twice is recognised."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _text(value: Any, where: str, problems: list[str], required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: text is required")
        return None
    if len(value) > MAX_TEXT:
        problems.append(f"{where}: at most {MAX_TEXT} characters")
    return value.strip()


def _code(value: Any, where: str, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not CODE.match(value):
        problems.append(f"{where}: a code is 1-60 lowercase letters, digits or '_', starting with a letter")
        return None
    return value


def _scales(raw: Any, problems: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if not isinstance(raw, list) or not raw:
        problems.append("scales: at least one answer scale is required")
        return out
    for i, s in enumerate(raw):
        where = f"scales[{i}]"
        if not isinstance(s, dict):
            problems.append(f"{where}: must be an object")
            continue
        code = _code(s.get("code"), f"{where}.code", problems)
        options = s.get("options")
        if not isinstance(options, list) or len(options) < 2:
            problems.append(f"{where}.options: at least two options")
            continue
        opts = []
        for j, o in enumerate(options):
            value = o.get("value") if isinstance(o, dict) else None
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
                problems.append(f"{where}.options[{j}].value: an integer 0-100")
                continue
            label = _text(o.get("label"), f"{where}.options[{j}].label", problems)
            opts.append({"value": value, "label": label})
        values = [o["value"] for o in opts]
        if len(set(values)) != len(values):
            problems.append(f"{where}.options: values must be unique")
        if code:
            if code in out:
                problems.append(f"{where}.code: duplicate scale {code!r}")
            out[code] = {"code": code, "options": sorted(opts, key=lambda o: o["value"])}
    return out


def _bands(raw: Any, problems: list[str]) -> list[dict]:
    if raw is None:
        return [dict(b) for b in DEFAULT_BANDS]
    if not isinstance(raw, list) or not raw:
        problems.append("bands: a non-empty list, or leave it out for the default bands")
        return []
    out, last = [], -1
    for i, b in enumerate(raw):
        where = f"bands[{i}]"
        if not isinstance(b, dict):
            problems.append(f"{where}: must be an object")
            continue
        code = _code(b.get("code"), f"{where}.code", problems)
        below = b.get("below")
        final = i == len(raw) - 1
        if final and below is not None:
            problems.append(f"{where}.below: the last band has no upper bound")
        if not final and (not isinstance(below, int) or isinstance(below, bool) or not last < below <= 100):
            problems.append(f"{where}.below: an integer above the previous band's, at most 100")
        else:
            last = below if below is not None else last
        out.append(
            {
                "code": code,
                "label": _text(b.get("label"), f"{where}.label", problems),
                "below": below,
                "suggest": bool(b.get("suggest", False)),
            }
        )
    return out


def parse_document(doc: dict, *, instruments: tuple[str, ...] | None = None) -> dict:
    """Validate and normalise a document; raise ContentError listing every problem."""
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise ContentError(["the document must be an object"])
    instrument = _code(doc.get("instrument"), "instrument", problems)
    if instrument and instruments is not None and instrument not in instruments:
        problems.append(f"instrument: this service holds {', '.join(instruments)}, not {instrument!r}")
    version = doc.get("version")
    if not isinstance(version, str) or not VERSION.match(version):
        problems.append("version: 1-60 letters, digits, '.', '_' or '-'")
    title = _text(doc.get("title"), "title", problems)
    notice = _text(doc.get("notice"), "notice", problems, required=False)
    sample = bool(doc.get("sample", False))
    if sample and not notice:
        problems.append("notice: sample content must say it is a sample")
    scales = _scales(doc.get("scales"), problems)
    bands = _bands(doc.get("bands"), problems)
    sections, seen_q, seen_s, count = [], set(), set(), 0
    raw_sections = doc.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.append("sections: at least one section")
        raw_sections = []
    for i, s in enumerate(raw_sections):
        where = f"sections[{i}]"
        if not isinstance(s, dict):
            problems.append(f"{where}: must be an object")
            continue
        code = _code(s.get("code"), f"{where}.code", problems)
        if code in seen_s:
            problems.append(f"{where}.code: duplicate section {code!r}")
        seen_s.add(code)
        suggests = s.get("suggests", [])
        if not isinstance(suggests, list) or not all(isinstance(x, str) and x for x in suggests):
            problems.append(f"{where}.suggests: a list of codes")
            suggests = []
        questions = []
        raw_q = s.get("questions")
        if not isinstance(raw_q, list) or not raw_q:
            problems.append(f"{where}.questions: at least one question")
            raw_q = []
        for j, q in enumerate(raw_q):
            qw = f"{where}.questions[{j}]"
            if not isinstance(q, dict):
                problems.append(f"{qw}: must be an object")
                continue
            qcode = _code(q.get("code"), f"{qw}.code", problems)
            if qcode in seen_q:
                problems.append(f"{qw}.code: duplicate question {qcode!r} (codes are unique across sections)")
            seen_q.add(qcode)
            scale = q.get("scale")
            if scale not in scales:
                problems.append(f"{qw}.scale: not one of the document's scales")
            count += 1
            questions.append(
                {
                    "code": qcode,
                    "text": _text(q.get("text"), f"{qw}.text", problems),
                    "scale": scale,
                    "reverse": bool(q.get("reverse", False)),
                    "required": bool(q.get("required", True)),
                }
            )
        sections.append(
            {
                "code": code,
                "title": _text(s.get("title"), f"{where}.title", problems),
                "description": _text(s.get("description"), f"{where}.description", problems, required=False),
                "suggests": list(suggests),
                "questions": questions,
            }
        )
    if count > MAX_QUESTIONS:
        problems.append(f"sections: at most {MAX_QUESTIONS} questions in all")
    if problems:
        raise ContentError(problems)
    return {
        "instrument": instrument,
        "version": version,
        "title": title,
        "sample": sample,
        "notice": notice,
        "scales": list(scales.values()),
        "bands": bands,
        "sections": sections,
    }


def questions_of(content: dict) -> dict[str, dict]:
    """question code -> question, with its section code and resolved scale."""
    scales = {s["code"]: s for s in content["scales"]}
    return {
        q["code"]: {**q, "section": s["code"], "scale_def": scales[q["scale"]]}
        for s in content["sections"]
        for q in s["questions"]
    }
