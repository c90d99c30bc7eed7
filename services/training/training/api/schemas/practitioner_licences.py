"""A practitioner's licence to run microprojects ("mini candles")."""

from __future__ import annotations

from marshmallow import fields

from ...rules import practitioner_licence as rules
from ...services.practitioner_licences import microproject_ids, state_of
from .base import Computed, Int, Opt, Out, Str, When, page_of


class PractitionerLicenceOut(Out):
    microprojects = Computed(microproject_ids, metadata={"type": "array", "description": "package ids"})
    id = Str()
    person_id = Str()
    licence_name = Str(attribute="applied_as")
    title = fields.Constant(rules.NAMES["microproject"])
    also_known_as = fields.Constant(rules.NAMES["mini_candle"])
    idea = Opt()
    focus_areas = Computed(lambda lic: list(lic.focus_areas), metadata={"type": "array"})
    state = Computed(state_of, metadata={"type": "string", "description": "the state in force now"})
    valid_from = When()
    valid_until = When()
    approved_at = When()
    paused_at = When()
    renewals = Int()
    allows = fields.Constant(rules.ALLOWS)
    is_not = fields.Constant(rules.IS_NOT)
    created_at = When()


PractitionerLicencePage = page_of(PractitionerLicenceOut)
