"""Organisations, their licences and seats as the API answers them."""

from __future__ import annotations

from marshmallow import fields

from ...services import seats
from .base import Computed, Int, Opt, Out, Str, When, page_of
from .orders import OrderOut


class OrganisationOut(Out):
    id = Str()
    name = Str()
    kind = Str()
    size_band = Opt()
    link_contact_email = Opt()
    senior_leadership_commitment = Computed(
        lambda org: bool(org.senior_leadership_commitment), metadata={"type": "boolean"}
    )
    created_at = When()


class LicenceOut(Out):
    """An organisation's licence with its derived `status` and suspension; `placeholder` (and
    `placeholder_label`) say whether its fee came from a placeholder price."""

    id = Str()
    organisation_id = Str()
    type = Str()
    title = Str()
    status = Str()
    suspended = fields.Boolean()
    suspended_because = fields.List(fields.Raw())
    valid_from = When()
    valid_until = When()
    cancelled_at = When()
    first_valid_from = When()
    terms = fields.Raw(allow_none=True)
    price = Opt(fields.Integer)
    currency = Opt()
    placeholder = fields.Boolean()
    placeholder_label = Str()
    size_band = Opt()
    seats_included = Opt(fields.Integer)
    price_book_version = Opt(fields.Integer)
    order_id = Opt()
    includes = fields.Raw()
    excludes = fields.Raw()
    required_for = fields.Raw()
    agreement = fields.Raw(allow_none=True)
    agreement_accepted_by = Opt()
    agreement_accepted_by_name = Opt()
    agreement_accepted_at = When()
    agreement_acceptance = Opt(metadata={"description": "explicit | implicit; null before"})
    agreement_note = Opt()


class SeatSummaryOut(Out):
    total = Int()
    used = Int()
    available = Int()
    included_with_cpd = Int()
    purchased = Int()
    purchased_this_licence_year = Int()
    carried_from_earlier_years = Int()
    licence_year_started = When()
    transferred_in = Int()
    transferred_out = Int()
    assignable = fields.Boolean()


class OrganisationDetailOut(OrganisationOut):
    """With the derived `stage` (1-5), `next_steps`, `licences` and `seats`."""

    stage = Int()
    stage_name = Str()
    next_steps = fields.List(fields.Raw())
    stage_facts = fields.Dict()
    licences = fields.List(fields.Nested(LicenceOut))
    seats = fields.Nested(SeatSummaryOut)
    members_count = Int()
    policy = fields.Raw()
    as_of = When()


class AssignmentOut(Out):
    id = Str()
    organisation_id = Str()
    person_id = Str()
    status = Str()
    assigned_at = When()
    released_at = When()


class SeatsOut(SeatSummaryOut):
    assignments = fields.List(fields.Nested(AssignmentOut))


class AssignmentMadeOut(AssignmentOut):
    """The seat given, with the organisation's seats after it."""

    seats = Computed(
        lambda a: SeatSummaryOut().dump(seats.summary(a.organisation_id)), metadata={"type": "object"}
    )


OrganisationPage = page_of(OrganisationOut)
LicencePage = page_of(LicenceOut)
OrderPage = page_of(OrderOut)
