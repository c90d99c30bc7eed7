"""Priorities Consultations and locality hubs."""

from __future__ import annotations

from .base import Opt, Out, Str, When, page_of


class ConsultationOut(Out):
    id = Str()
    for_kind = Str()
    purpose = Str()
    hub_id = Opt()
    state = Str()
    requested_by = Opt()
    scheduled_for = When()
    expires_at = When()
    completed_at = When()
    cancelled_at = When()
    created_at = When()


class HubOut(Out):
    id = Str()
    name = Str()
    locality = Opt()
    description = Opt()
    organisation_id = Opt(metadata={"description": "training's locality_hub organisation this hub is"})
    created_at = When()


ConsultationPage = page_of(ConsultationOut)
HubPage = page_of(HubOut)
