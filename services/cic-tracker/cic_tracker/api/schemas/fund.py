"""The Microproject Fund: rounds, applications, reviews, decisions and gifts."""

from __future__ import annotations

from marshmallow import fields

from ...services.fund.ledger import CURRENCY
from .base import Computed, Opt, Out, Str, When, page_of


class RoundOut(Out):
    id = Str()
    quarter = Str()
    state = Str(metadata={"enum": ["open", "closed", "decided"]})
    opens_at = When()
    closes_at = When()
    closed_at = When()


class ReviewOut(Out):
    id = Str()
    application_id = Str()
    round_id = Str()
    reviewer_user_id = Str()
    score = Opt(fields.Integer)
    comment = Opt()
    no_conflict = fields.Boolean(metadata={"description": "the reviewer declared no conflict of interest"})
    created_at = When()


class DecisionOut(Out):
    id = Str()
    round_id = Str()
    outcome = Str()
    note = Opt()
    decided_by = Opt()
    decided_at = When()


class ApplicationOut(Out):
    id = Str()
    round_id = Str()
    practitioner_id = Str()
    organisation_id = Str()
    package_type = fields.Integer()
    summary = Str()
    state = Str()
    deferrals = fields.Integer()
    amount_requested = fields.Integer(metadata={"description": "pence"})
    currency = Str()
    reviews_count = fields.Integer()
    average_score = Opt(fields.Float)
    qualifying_reviews = fields.Integer(
        metadata={
            "description": "this round's reviews that count towards an award (independent, no conflict)"
        }
    )
    reviews_needed = fields.Integer()
    award_id = Opt()
    created_at = When()
    # with one application (GET /applications/{id})
    reviews = fields.List(fields.Nested(ReviewOut))
    decisions = fields.List(fields.Nested(DecisionOut))
    # with a decision just given (POST /applications/{id}/decision)
    decision = fields.Nested(DecisionOut)


class RoundCountsOut(Out):
    applications = fields.Integer()
    undecided = fields.Integer()
    awarded = fields.Integer()
    declined = fields.Integer()
    deferred = fields.Integer()


class RoundApplicationOut(Out):
    id = Str()
    practitioner_id = Str()
    organisation_id = Str()
    package_type = fields.Integer()
    summary = Str()
    amount_requested = fields.Integer()
    reviews_count = fields.Integer()
    average_score = Opt(fields.Float)
    outcome = Opt()


class RoundSummaryOut(Out):
    round = fields.Nested(RoundOut)
    currency = Str()
    counts = fields.Nested(RoundCountsOut)
    amount_requested = fields.Integer()
    amount_awarded = fields.Integer()
    applications = fields.List(fields.Nested(RoundApplicationOut))


class GiftOut(Out):
    id = Str()
    state = Str(metadata={"enum": ["pledged", "received", "void"]})
    amount = fields.Integer(metadata={"description": "pence"})
    currency = fields.Constant(CURRENCY)
    name = Computed(lambda g: g.supporter_name, metadata={"type": "string", "nullable": True})
    supporter_name = Opt(metadata={"description": "same as name (earlier field name)"})
    created_at = When()
    received_at = When()
    voided_at = When()


class LedgerEntryOut(Out):
    kind = Str(metadata={"enum": ["gift", "award"]})
    id = Str()
    amount = fields.Integer(metadata={"description": "pence; awards negative"})
    application_id = Str()
    state = Str()
    at = When()


class LedgerOut(Out):
    currency = Str()
    gifts_total = fields.Integer(metadata={"description": "received gifts only, pence"})
    awards_total = fields.Integer()
    balance = fields.Integer(metadata={"description": "received gifts minus awards, pence"})
    pledged_total = fields.Integer(metadata={"description": "pledged, not yet received (not in the balance)"})
    pledged_count = fields.Integer()
    gifts_count = fields.Integer()
    awards_count = fields.Integer()
    shortfall = fields.Integer()
    entries = fields.List(fields.Nested(LedgerEntryOut))


RoundPage = page_of(RoundOut)
ApplicationPage = page_of(ApplicationOut)
GiftPage = page_of(GiftOut)
