"""Decisions on Fund applications, given only in a closed round: an award needs two independent
reviews and a balance covering it, and is announced to training (`cic.fund.awarded`); a deferred
application moves to the next round. The round's summary for CIC staff."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from imatter_shared.web.errors import RuleViolation

from ...events import outgoing
from ...extensions import db
from ...models import FundApplication, FundAward, FundDecision, FundRound
from ...notifications import fund_decision
from ...rules import fund as rules
from .applications import REVIEWS_FOR_AWARD, qualifying_reviews, scores
from .ledger import CURRENCY, ledger_totals, lock_fund, package_price
from .rounds import next_round_after, refresh_round


@dataclass(frozen=True)
class Decided:
    """The answer to a decision: the application as it now stands and the decision just given."""

    application: FundApplication
    decision: FundDecision


def decide(app: FundApplication, outcome: str, note: str | None, user_id: str) -> Decided:
    lock_fund()  # decisions (and every money change) one at a time; then re-read the application
    db.session.refresh(app)
    r = refresh_round(db.session.get(FundRound, app.round_id))
    unmet = rules.can_decide(r.state, app.state)
    if unmet:
        detail = (
            "Decisions are given once the round is closed."
            if "round_closed" in unmet
            else "The application already has an outcome."
        )
        raise RuleViolation(detail, unmet=unmet)
    decision = FundDecision(
        application_id=app.id, round_id=r.id, outcome=outcome, note=note, decided_by=user_id
    )
    db.session.add(decision)
    if outcome == "awarded":
        if qualifying_reviews(app) < REVIEWS_FOR_AWARD:
            raise RuleViolation(
                "An award needs two reviews by reviewers outside the applicant's organisation, "
                "each declaring no conflict of interest.",
                unmet=["two_reviews"],
            )
        amount = package_price(app.package_type)
        if amount is None:
            raise RuleViolation(
                "The package type's price is not known yet (training has not published it).",
                unmet=["package_type_published"],
            )
        unmet = rules.can_award(
            amount, ledger_totals()["balance"], current_app.config["FUND_AWARDS_REQUIRE_BALANCE"]
        )
        if unmet:
            raise RuleViolation(
                "An award needs received gifts covering it: the fund's balance (received "
                "gifts less awards) cannot cover this award.",
                unmet=unmet,
            )
        award = FundAward(application_id=app.id, amount=amount, state="awarded")
        db.session.add(award)
        db.session.flush()
        app.state = "awarded"
        outgoing.fund_awarded(award, app)
    elif outcome == "declined":
        app.state = "declined"
    else:  # deferred: considered again in the next round
        app.round_id = next_round_after(r).id
        app.deferrals += 1
    db.session.flush()
    refresh_round(r)
    fund_decision(app, decision.id)  # a sign-in prompt (no outcome), in the same commit
    return Decided(app, decision)


def summary(r: FundRound) -> dict:
    in_round = set(db.session.scalars(sa.select(FundApplication.id).where(FundApplication.round_id == r.id)))
    decisions = {
        d.application_id: d
        for d in db.session.scalars(sa.select(FundDecision).where(FundDecision.round_id == r.id))
    }
    apps = []
    for app_id in in_round | set(decisions):
        app = db.session.get(FundApplication, app_id)
        count, avg = scores(app_id, r.id)
        d = decisions.get(app_id)
        apps.append(
            {
                "id": app.id,
                "practitioner_id": app.practitioner_id,
                "organisation_id": app.organisation_id,
                "package_type": app.package_type,
                "summary": app.summary,
                "amount_requested": package_price(app.package_type) or 0,
                "reviews_count": count,
                "average_score": avg,
                "outcome": d.outcome if d else None,
            }
        )
    apps.sort(key=lambda a: (a["average_score"] is None, -(a["average_score"] or 0), a["id"]))
    outcomes = [a["outcome"] for a in apps]
    return {
        "round": r,
        "currency": CURRENCY,
        "counts": {
            "applications": len(apps),
            "undecided": outcomes.count(None),
            "awarded": outcomes.count("awarded"),
            "declined": outcomes.count("declined"),
            "deferred": outcomes.count("deferred"),
        },
        "amount_requested": sum(a["amount_requested"] for a in apps),
        "amount_awarded": sum(a["amount_requested"] for a in apps if a["outcome"] == "awarded"),
        "applications": apps,
    }
