"""Organisations, their licences and seats as the API answers them."""

from __future__ import annotations

from marshmallow import fields, pre_dump

from imatter_shared.web.fast_dump import FastOut

from ...rules import licences as licence_rules
from ...rules import policy as policy_table
from ...services import licences, price_book, seats
from ...services import organisations as orgs
from .base import Computed, Int, Opt, Out, Str, When, With, page_of
from .orders import OrderOut

AGREEMENT_NOTES = {
    "explicit": "Accepted explicitly when the licence was taken out.",
    "implicit": "Taken as accepted: the organisation's admin took the licence out "
    "without an explicit acceptance.",
}


def _licence(obj) -> With:
    """A licence with its status, suspension and terms; `held` (the organisation's licences
    read once for this request) when the view or the organisation's answer has it."""
    lic = obj._model if isinstance(obj, With) else obj
    held = getattr(obj, "held", None)
    if held is not None and held.get(lic.type) is lic:  # worked out once per read (Held.status)
        status = held.status(lic.type)
        reasons = held.suspension(lic.type) if status == "active" else []
    else:
        status = licences.status_of(lic)
        reasons = licences.suspension(lic, held) if status == "active" else []
    terms = licence_rules.LICENCES[lic.type]
    return With(
        lic,
        title=terms["title"],
        status=status,
        suspended=bool(reasons),
        suspended_because=reasons,
        **price_book.band_mark(lic.price_book_version, lic.size_band),  # a placeholder fee says so
        includes=terms["includes"],
        excludes=terms["excludes"],
        required_for=terms["required_for"],
        agreement=licence_rules.agreement(lic.type),
        agreement_note=AGREEMENT_NOTES.get(lic.agreement_acceptance or ""),
    )


class OrganisationOut(FastOut):
    id = Str()
    name = Str()
    kind = Str()
    size_band = Opt()
    link_contact_email = Opt()
    senior_leadership_commitment = Computed(
        lambda org: bool(org.senior_leadership_commitment), metadata={"type": "boolean"}
    )
    created_at = When()


class LicenceOut(FastOut):
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

    @pre_dump
    def _derived(self, obj, **kw):
        return _licence(obj)


class SeatSummaryOut(FastOut):
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

    @pre_dump
    def _derived(self, org, **kw):
        # the organisation's licences are read once (with the organisation and its access check
        # when its read asked for them: held_rows), then every count, the seat ledger and the
        # oversight facts in one more statement (docs/performance.md: this read was 18-29
        # statements, then 8, then 3; now 2). The views commit before the dump; the creation
        # reads its counts before its commit and hands them over (`counts`, `held`).
        held = getattr(org, "held", None)  # the creation's, read before its commit
        if held is None:
            held = licences.Held(org.id, read_only=True, rows=getattr(org, "held_rows", None))
        counts = getattr(org, "counts", None)  # read by the creation before its commit
        if isinstance(org, With):  # the view's wrapper of the organisation's row: the row itself
            org = org._model
        if counts is None:
            counts = orgs.detail_facts(org.id, held)
        held.know_practitioners(counts["facts"]["practitioners"])
        seat_summary = seats.summary(org.id, held, n_used=counts["seats_used"], ledger=counts["ledger"])
        st = orgs.stage_of(org, seat_summary, held, counts["facts"], counts["oversight"])
        return With(
            org,
            stage=st["stage"],
            stage_name=st["stage_name"],
            next_steps=st["next_steps"],
            stage_facts=st["facts"],
            licences=[With(lic, held=held) for lic in held.rows],
            seats=seat_summary,
            members_count=counts["members"],
            policy=policy_table.policy_for(org.kind),
            as_of=held.at,  # the instant the licences' status is worked out at
        )


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
