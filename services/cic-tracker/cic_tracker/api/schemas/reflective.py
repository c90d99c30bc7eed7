"""Reflective tools: questionnaires, case tool answers, I Matter Q registration bookings."""

from __future__ import annotations

from marshmallow import fields

from .base import Opt, Out, Str, When, page_of


class QuestionnaireSectionOut(Out):
    code = Str()
    title = Str()
    description = Opt()
    questions = fields.List(fields.Raw())


class QuestionnaireOut(Out):
    id = Str()
    instrument = Str()
    version = Str()
    title = Str()
    sample = fields.Boolean()
    notice = Opt()
    current = fields.Boolean()
    scales = fields.Raw()
    bands = fields.Raw()
    sections = fields.List(fields.Nested(QuestionnaireSectionOut))


class CaseToolResponseOut(Out):
    id = Str()
    case_id = Str()
    instrument = Str()
    version = Str()
    sample = fields.Boolean()
    answers = fields.Dict(keys=fields.String(), values=fields.Raw())
    sections = fields.Raw()
    notes = Opt()
    created_at = When()


class QBookingOut(Out):
    order_id = Str()
    registration_id = Str()
    person_id = Str()
    organisation_id = Opt()
    consultation_id = Str()
    consultation_state = Opt()
    created_at = When()


CaseToolResponsePage = page_of(CaseToolResponseOut)
QBookingPage = page_of(QBookingOut)
