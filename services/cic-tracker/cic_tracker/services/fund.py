"""Microproject Development Fund: quarterly rounds, applications, reviews, decisions, ledger.

Rounds follow calendar quarters and exist on demand (the current quarter's round is created
the first time anyone looks). A round closes by date, or early by CIC staff; decisions are
only given in a closed round; a deferred application moves to the next round.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import NotFound, RuleViolation

from ..authz import Caller
from ..extensions import db
from ..models import FundApplication, FundAward, FundDecision, FundGift, FundReview, FundRound
from ..rules import fund as rules
from ..rules.packages import PACKAGE_PRICES
from .common import emit, iso, now

CURRENCY = "GBP"
LEDGER_ENTRIES = 100


# ---- rounds --------------------------------------------------------------------------------

def round_for(year: int, quarter: int) -> FundRound:
    label = rules.quarter_label(year, quarter)
    r = db.session.scalar(sa.select(FundRound).where(FundRound.quarter == label))
    if r is None:
        opens, closes = rules.quarter_bounds(year, quarter)
        r = FundRound(quarter=label, opens_at=opens, closes_at=closes, state="open")
        db.session.add(r)
        db.session.flush()
    return refresh_round(r)


def refresh_round(r: FundRound) -> FundRound:
    undecided = db.session.scalar(sa.select(sa.func.count()).select_from(FundApplication).where(
        FundApplication.round_id == r.id, FundApplication.state == "submitted"))
    decided = db.session.scalar(sa.select(sa.func.count(sa.distinct(FundDecision.application_id)))
                                .where(FundDecision.round_id == r.id))
    state = rules.round_state(r.state, now(), r.closes_at, undecided, undecided + decided)
    if state != r.state:
        if r.state == "open":
            r.closed_at = r.closed_at or min(now(), r.closes_at)
        r.state = state
    return r


def current_round() -> FundRound:
    return round_for(*rules.quarter_of(now()))


def open_round() -> FundRound:
    """The round taking applications: this quarter's, or the next one when it closed early."""
    year, quarter = rules.quarter_of(now())
    for _ in range(8):
        r = round_for(year, quarter)
        if r.state == "open":
            return r
        year, quarter = rules.next_quarter(year, quarter)
    raise RuleViolation("No fund round is open.", unmet=["round_open"])


def next_round_after(r: FundRound) -> FundRound:
    year, quarter = rules.next_quarter(*rules.parse_label(r.quarter))
    for _ in range(8):
        nxt = round_for(year, quarter)
        if nxt.state == "open":
            return nxt
        year, quarter = rules.next_quarter(year, quarter)
    raise RuleViolation("No later fund round is open.", unmet=["round_open"])


def list_rounds_stmt():
    current_round()
    for r in db.session.scalars(sa.select(FundRound).where(FundRound.state != "decided")):
        refresh_round(r)
    return sa.select(FundRound).order_by(FundRound.opens_at.desc())


def get_round(round_id: str) -> FundRound:
    r = db.session.get(FundRound, round_id)
    if r is None:
        raise NotFound("No fund round with that id.")
    return refresh_round(r)


def close_round(r: FundRound) -> FundRound:
    if r.state != "open":
        raise RuleViolation(f"The round is already {r.state}.", unmet=["round_open"])
    r.state = "closed"
    r.closed_at = now()
    db.session.flush()
    return refresh_round(r)


def round_view(r: FundRound) -> dict:
    return {"id": r.id, "quarter": r.quarter, "state": r.state, "opens_at": iso(r.opens_at),
            "closes_at": iso(r.closes_at), "closed_at": iso(r.closed_at)}


# ---- applications and reviews ------------------------------------------------------------------

def apply(user_id: str, body: dict) -> FundApplication:
    r = open_round()
    app = FundApplication(round_id=r.id, applicant_user_id=user_id, practitioner_id=body["practitioner_id"],
                          organisation_id=body["organisation_id"], package_type=body["package_type"],
                          summary=body["summary"], state="submitted")
    db.session.add(app)
    return app


def may_see_all(c: Caller) -> bool:
    return c.is_cic_staff or c.is_fund_reviewer


def visible_application(c: Caller, app_id: str) -> FundApplication:
    app = db.session.get(FundApplication, app_id)
    if app is None:
        raise NotFound("No fund application with that id.")
    if not (may_see_all(c) or app.applicant_user_id == c.user_id):
        log_refusal("fund_application", app_id)
        raise NotFound("No fund application with that id.")
    return app


def applications_stmt(c: Caller, round_id: str | None):
    stmt = sa.select(FundApplication).order_by(FundApplication.created_at.desc(), FundApplication.id)
    if round_id:
        stmt = stmt.where(FundApplication.round_id == round_id)
    return stmt if may_see_all(c) else stmt.where(FundApplication.applicant_user_id == c.user_id)


def review(app: FundApplication, reviewer: str, score: int, comment: str) -> tuple[FundReview, bool]:
    """One review per reviewer per round; a second one from the same reviewer replaces it."""
    if app.state != "submitted":
        raise RuleViolation("The application already has an outcome.", unmet=["undecided"])
    rev = db.session.scalar(sa.select(FundReview).where(
        FundReview.application_id == app.id, FundReview.round_id == app.round_id,
        FundReview.reviewer_user_id == reviewer))
    created = rev is None
    if created:
        rev = FundReview(application_id=app.id, round_id=app.round_id, reviewer_user_id=reviewer)
        db.session.add(rev)
    rev.score, rev.comment = score, comment
    rev.created_at = now()
    return rev, created


def review_view(rev: FundReview) -> dict:
    return {"id": rev.id, "application_id": rev.application_id, "round_id": rev.round_id,
            "reviewer_user_id": rev.reviewer_user_id, "score": rev.score, "comment": rev.comment,
            "created_at": iso(rev.created_at)}


def _scores(app_id: str, round_id: str | None = None) -> tuple[int, float | None]:
    stmt = sa.select(sa.func.count(), sa.func.avg(FundReview.score)).where(FundReview.application_id == app_id)
    if round_id:
        stmt = stmt.where(FundReview.round_id == round_id)
    count, avg = db.session.execute(stmt).one()
    return count, (round(float(avg), 2) if avg is not None else None)


def application_view(app: FundApplication, with_reviews: bool = False) -> dict:
    count, avg = _scores(app.id)
    award = db.session.scalar(sa.select(FundAward).where(FundAward.application_id == app.id))
    out = {"id": app.id, "round_id": app.round_id, "practitioner_id": app.practitioner_id,
           "organisation_id": app.organisation_id, "package_type": app.package_type, "summary": app.summary,
           "state": app.state, "deferrals": app.deferrals, "amount_requested": PACKAGE_PRICES[app.package_type],
           "currency": CURRENCY, "reviews_count": count, "average_score": avg,
           "award_id": award.id if award else None, "created_at": iso(app.created_at)}
    if with_reviews:
        out["reviews"] = [review_view(r) for r in db.session.scalars(
            sa.select(FundReview).where(FundReview.application_id == app.id).order_by(FundReview.created_at))]
        out["decisions"] = [decision_view(d) for d in db.session.scalars(
            sa.select(FundDecision).where(FundDecision.application_id == app.id).order_by(FundDecision.decided_at))]
    return out


# ---- decisions, awards, gifts, ledger -------------------------------------------------------

def decide(app: FundApplication, outcome: str, note: str | None, user_id: str) -> dict:
    r = refresh_round(db.session.get(FundRound, app.round_id))
    unmet = rules.can_decide(r.state, app.state)
    if unmet:
        detail = ("Decisions are given once the round is closed." if "round_closed" in unmet
                  else "The application already has an outcome.")
        raise RuleViolation(detail, unmet=unmet)
    decision = FundDecision(application_id=app.id, round_id=r.id, outcome=outcome, note=note, decided_by=user_id)
    db.session.add(decision)
    award = None
    if outcome == "awarded":
        amount = PACKAGE_PRICES[app.package_type]
        unmet = rules.can_award(amount, ledger_totals()["balance"], current_app.config["FUND_AWARDS_REQUIRE_BALANCE"])
        if unmet:
            raise RuleViolation("The fund's balance cannot cover this award.", unmet=unmet)
        award = FundAward(application_id=app.id, amount=amount, state="awarded")
        db.session.add(award)
        db.session.flush()
        app.state = "awarded"
        emit("cic.fund.awarded", {"award_id": award.id, "application_id": app.id,
                                  "practitioner_id": app.practitioner_id, "organisation_id": app.organisation_id,
                                  "package_type": app.package_type, "amount": amount})
    elif outcome == "declined":
        app.state = "declined"
    else:  # deferred: considered again in the next round
        app.round_id = next_round_after(r).id
        app.deferrals += 1
    db.session.flush()
    refresh_round(r)
    from ..notifications import fund_decision  # issue 12: a sign-in prompt (no outcome), same commit
    fund_decision(app, decision.id)
    out = application_view(app)
    out["decision"] = decision_view(decision)
    out["award_id"] = award.id if award else None
    return out


def decision_view(d: FundDecision) -> dict:
    return {"id": d.id, "round_id": d.round_id, "outcome": d.outcome, "note": d.note,
            "decided_by": d.decided_by, "decided_at": iso(d.decided_at)}


def summary(r: FundRound) -> dict:
    in_round = set(db.session.scalars(sa.select(FundApplication.id).where(FundApplication.round_id == r.id)))
    decisions = {d.application_id: d for d in db.session.scalars(
        sa.select(FundDecision).where(FundDecision.round_id == r.id))}
    apps = []
    for app_id in in_round | set(decisions):
        app = db.session.get(FundApplication, app_id)
        count, avg = _scores(app_id, r.id)
        d = decisions.get(app_id)
        apps.append({"id": app.id, "practitioner_id": app.practitioner_id, "organisation_id": app.organisation_id,
                     "package_type": app.package_type, "summary": app.summary,
                     "amount_requested": PACKAGE_PRICES[app.package_type], "reviews_count": count,
                     "average_score": avg, "outcome": d.outcome if d else None})
    apps.sort(key=lambda a: (a["average_score"] is None, -(a["average_score"] or 0), a["id"]))
    outcomes = [a["outcome"] for a in apps]
    return {
        "round": round_view(r), "currency": CURRENCY,
        "counts": {"applications": len(apps), "undecided": outcomes.count(None),
                   "awarded": outcomes.count("awarded"), "declined": outcomes.count("declined"),
                   "deferred": outcomes.count("deferred")},
        "amount_requested": sum(a["amount_requested"] for a in apps),
        "amount_awarded": sum(a["amount_requested"] for a in apps if a["outcome"] == "awarded"),
        "applications": apps,
    }


def give(user_id: str, amount: int, supporter_name: str | None) -> FundGift:
    gift = FundGift(amount=amount, supporter_name=supporter_name, given_by=user_id)
    db.session.add(gift)
    return gift


def gift_view(g: FundGift) -> dict:
    return {"id": g.id, "amount": g.amount, "currency": CURRENCY, "supporter_name": g.supporter_name,
            "created_at": iso(g.created_at)}


def ledger_totals() -> dict:
    gifts = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(FundGift.amount), 0)))
    awards = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(FundAward.amount), 0)))
    return {"gifts_total": int(gifts), "awards_total": int(awards), "balance": int(gifts) - int(awards)}


def ledger() -> dict:
    totals = ledger_totals()
    entries = [{"kind": "gift", "id": g.id, "amount": g.amount, "at": iso(g.created_at)}
               for g in db.session.scalars(sa.select(FundGift))]
    entries += [{"kind": "award", "id": a.id, "amount": -a.amount, "application_id": a.application_id,
                 "state": a.state, "at": iso(a.created_at)}
                for a in db.session.scalars(sa.select(FundAward))]
    entries.sort(key=lambda e: (e["at"], e["id"]))
    return {"currency": CURRENCY, **totals,
            "gifts_count": sum(1 for e in entries if e["kind"] == "gift"),
            "awards_count": sum(1 for e in entries if e["kind"] == "award"),
            "shortfall": max(-totals["balance"], 0),
            "entries": entries[-LEDGER_ENTRIES:]}  # the latest; the totals cover them all


def redeem_award(award_id: str, package_id: str) -> None:
    """training.fund_award.redeemed: the award paid for a package; it cannot pay twice."""
    award = db.session.get(FundAward, award_id)
    if award is not None and award.state == "awarded":
        award.state = "redeemed"
        award.package_id = package_id
