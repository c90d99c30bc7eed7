"""The response schema of a questionnaire's content, as both services serve it: what a form needs
to ask the questions (no answers, nothing about anyone)."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.web.responses import Opt, Out, Str


class QuestionnaireSectionOut(Out):
    code = Str()
    title = Str()
    description = Opt()
    questions = fields.List(fields.Dict())


class QuestionnaireOut(Out):
    """What a form needs to ask the questions (no answers, nothing about anyone)."""

    id = Str()
    instrument = Str()
    version = Str()
    title = Str()
    sample = fields.Boolean()
    notice = Opt()
    current = fields.Boolean()
    scales = fields.List(fields.Dict())
    bands = fields.List(fields.Dict())
    sections = fields.List(fields.Nested(QuestionnaireSectionOut))
