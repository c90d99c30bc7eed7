"""Templates: each notification kind has three Jinja templates in the service's folder,

    <kind>.subject.txt   one line
    <kind>.txt           the plain-text body
    <kind>.html          the HTML body (usually `{% extends "_base.html" %}`)

looked up first in the service's folder, then in the common folder (layout `_base.html`).
Text is rendered without escaping, HTML with autoescape; an undefined variable is an error,
not an empty string, so a template typo fails the test that renders it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2

COMMON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
PARTS = ("subject.txt", "txt", "html")


class TemplateMissing(LookupError):
    pass


class Renderer:
    def __init__(self, folder: str):
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(folder), jinja2.FileSystemLoader(COMMON)])
        common = dict(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        self.text = jinja2.Environment(autoescape=False, **common)
        self.html = jinja2.Environment(autoescape=True, **common)
        self.folder = folder

    def check(self, kinds: Iterable[str]) -> None:
        """Fail at start-up, not at 3 a.m., when a kind lacks a template."""
        missing = [
            f"{k}.{p}"
            for k in kinds
            for p in PARTS
            if not os.path.exists(os.path.join(self.folder, f"{k}.{p}"))
        ]
        if missing:
            raise TemplateMissing(f"notification templates missing in {self.folder}: {', '.join(missing)}")

    def render(self, kind: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
        subject = self.text.get_template(f"{kind}.subject.txt").render(context)
        subject = " ".join(subject.split())[:300]  # one header line, whatever the template did
        text = self.text.get_template(f"{kind}.txt").render(context)
        html = self.html.get_template(f"{kind}.html").render(context)
        return subject, text, html
