"""The Microproject Fund: rounds, applications, reviews, decisions and gifts."""

from __future__ import annotations

from marshmallow import fields, pre_dump

from ...models import FundApplication
from ...services.fund.applications import (
    REVIEWS_FOR_AWARD,
    award_of,
    decisions_of,
    qualifying_reviews,
    reviews_of,
    scores,
)
from ...services.fund.ledger import CURRENCY, package_price
from .base import Computed, ComputedNested, Opt, Out, Str, When, page_of


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


def _award_id(app) -> str | None:
    award = award_of(app)
    return award.id if award else None


class ApplicationOut(Out):
    id = Str()
    round_id = Str()
    practitioner_id = Str()
    organisation_id = Str()
    package_type = fields.Integer()
    summary = Str()
    state = Str()
    deferrals = fields.Integer()
    amount_requested = Computed(
        lambda app: package_price(app.package_type),
        metadata={"type": "integer", "nullable": True, "description": "pence"},
    )
    currency = fields.Constant(CURRENCY, metadata={"type": "string"})
    # count and average come from one query, read once per application (_scores_once)
    reviews_count = Computed(lambda app: app._review_scores[0], metadata={"type": "integer"})
    average_score = Computed(lambda app: app._review_scores[1], metadata={"type": "number", "nullable": True})
    qualifying_reviews = Computed(
        qualifying_reviews,
        metadata={
            "type": "integer",
            "description": "this round's reviews that count towards an award (independent, no conflict)",
        },
    )
    reviews_needed = fields.Constant(REVIEWS_FOR_AWARD, metadata={"type": "integer"})
    award_id = Computed(_award_id, metadata={"type": "string", "nullable": True})
    created_at = When()

    @pre_dump
    def _scores_once(self, app, **kw):
        if isinstance(app, FundApplication):
            app._review_scores = scores(app.id)
        return app


class ApplicationDetailOut(ApplicationOut):
    """One application (GET /applications/{id}) with its reviews and decisions."""

    reviews = ComputedNested(ReviewOut, reviews_of, many=True)
    decisions = ComputedNested(DecisionOut, decisions_of, many=True)


class ApplicationDecidedOut(ApplicationOut):
    """An application with the decision just given on it (POST /applications/{id}/decision);
    dumps the service's `Decided`."""

    decision = fields.Nested(DecisionOut)

    @pre_dump
    def _application_and_decision(self, decided, **kw):
        return {**ApplicationOut().dump(decided.application), "decision": decided.decision}


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
