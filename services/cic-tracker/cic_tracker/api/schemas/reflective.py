"""Reflective tools: questionnaires, case tool answers, I Matter Q registration bookings."""

from __future__ import annotations

from marshmallow import fields

from ...extensions import db
from ...models import Consultation
from ...models.reflective import QuestionnaireVersion
from ...services.consultations import refresh
from .base import Computed, Opt, Out, Str, When, page_of


def _version(r):
    return db.session.get(QuestionnaireVersion, r.version_id)


def _consultation_state(b):
    c = db.session.get(Consultation, b.consultation_id)
    return refresh(c).state if c else None


class CaseToolResponseOut(Out):
    id = Str()
    case_id = Str()
    instrument = Str()
    version = Computed(lambda r: _version(r).version, metadata={"type": "string"})
    sample = Computed(lambda r: _version(r).sample, metadata={"type": "boolean"})
    answers = fields.Dict(keys=fields.String(), values=fields.Raw())
    sections = Computed(lambda r: r.section_scores, metadata={"description": "section scores and bands"})
    notes = Opt()
    created_at = When()


class QBookingOut(Out):
    order_id = Str()
    registration_id = Str()
    person_id = Str()
    organisation_id = Opt()
    consultation_id = Str()
    consultation_state = Computed(_consultation_state, metadata={"type": "string", "nullable": True})
    created_at = When()


CaseToolResponsePage = page_of(CaseToolResponseOut)
QBookingPage = page_of(QBookingOut)
