"""Microproject Development Fund: quarterly rounds, applications, reviews, decisions, ledger.

Rounds follow calendar quarters and exist on demand (the current quarter's round is created
the first time anyone looks). A round closes by date, or early by CIC staff; decisions are
only given in a closed round; a deferred application moves to the next round.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from imatter_shared.events.envelope import parse_timestamp
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import NotFound, RuleViolation

from ..authz import Caller, organisations_of_user
from ..extensions import db
from ..models import (
    Certification,
    FundAccount,
    FundApplication,
    FundAward,
    FundDecision,
    FundGift,
    FundReview,
    FundRound,
    OrgAdmin,
    OrgLicence,
    OrgMembership,
)
from ..rules import fund as rules
from .common import emit, iso, now
from .package_types import package_type

CURRENCY = "GBP"
LEDGER_ENTRIES = 100
REVIEWS_FOR_AWARD = 2


def package_price(package_type_: int) -> int | None:
    """A fund award pays for exactly one package: its amount is the package price training
    publishes at the time (None while training has not published the type)."""
    known = package_type(package_type_)
    return known.price if known is not None else None


def lock_fund() -> None:
    """Serialise every change to the fund's money: create the single account row if it is
    missing (a no-op when present), then bump its version. The UPDATE holds a row lock on
    PostgreSQL and SQLite's write lock until commit, so the balance read after it is the one
    the write acts on (awards never exceed the balance under concurrent decisions)."""
    table = FundAccount.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(table).values(id="fund", version=0).on_conflict_do_nothing(index_elements=["id"])
    )
    db.session.execute(
        sa.update(FundAccount).where(FundAccount.id == "fund").values(version=FundAccount.version + 1)
    )


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
    undecided = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(FundApplication)
        .where(FundApplication.round_id == r.id, FundApplication.state == "submitted")
    )
    decided = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(FundDecision.application_id))).where(
            FundDecision.round_id == r.id
        )
    )
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
    return {
        "id": r.id,
        "quarter": r.quarter,
        "state": r.state,
        "opens_at": iso(r.opens_at),
        "closes_at": iso(r.closes_at),
        "closed_at": iso(r.closed_at),
    }


# ---- applications and reviews ------------------------------------------------------------------


def _organisation_known(org_id: str) -> bool:
    """cic knows an organisation only from training's events about it."""
    for model in (OrgLicence, OrgMembership, OrgAdmin, Certification):
        if db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.organisation_id == org_id)
        ):
            return True
    return False


def _enhanced_active(org_id: str) -> bool:
    lic = db.session.get(OrgLicence, (org_id, "enhanced"))
    if lic is None or lic.status != "active":
        return False
    if lic.valid_until:
        try:
            return naive(parse_timestamp(lic.valid_until)) >= now()
        except ValueError:
            return True  # a date training sent without an offset: trust the status
    return True


def naive(moment):
    return moment.replace(tzinfo=None)


def application_unmet(c: Caller, body: dict) -> list[str]:
    """DOMAIN "Rulings" -> CIC: the Fund checks an application against what cic knows by event.
    The practitioner is the applicant's own person; the organisation is known and holds an
    active Enhanced Licence; the practitioner is its accepted (active) member."""
    unmet = []
    practitioner, org = body["practitioner_id"], body["organisation_id"]
    if practitioner not in c.person_ids:
        unmet.append("own_practitioner")
    if not _organisation_known(org):
        unmet.append("organisation_known")
    if not _enhanced_active(org):
        unmet.append("enhanced_licence")
    member = db.session.get(OrgMembership, (org, practitioner))
    if member is None or member.status != "active":
        unmet.append("accepted_member")
    return unmet


APPLICATION_RULES = {
    "own_practitioner": "the practitioner must be you (your own person in I Matter Training)",
    "organisation_known": "the organisation must be one I Matter Training has told the CIC about",
    "enhanced_licence": "the organisation must hold an active Enhanced Practice Licence",
    "accepted_member": "the practitioner must be an accepted member of the organisation",
}


def apply(c: Caller, body: dict) -> FundApplication:
    unmet = application_unmet(c, body)
    if unmet:
        raise RuleViolation(
            "The application cannot be accepted: " + "; ".join(APPLICATION_RULES[u] for u in unmet) + ".",
            unmet=unmet,
        )
    user_id = c.user_id
    r = open_round()
    app = FundApplication(
        round_id=r.id,
        applicant_user_id=user_id,
        practitioner_id=body["practitioner_id"],
        organisation_id=body["organisation_id"],
        package_type=body["package_type"],
        summary=body["summary"],
        state="submitted",
    )
    db.session.add(app)
    return app


def may_see_all(c: Caller) -> bool:
    """CIC staff and fund reviewers see every application and gift; others only their own."""
    return c.is_cic_staff or c.is_fund_reviewer


def _visible(c: Caller, model, record_id: str, owner, what: str, record_type: str):
    """A Fund record for those who see all, or for the user who made it (`owner` column); else 404."""
    row = db.session.get(model, record_id)
    if row is None:
        raise NotFound(f"No {what} with that id.")
    if not (may_see_all(c) or getattr(row, owner.key) == c.user_id):
        log_refusal(record_type, record_id)
        raise NotFound(f"No {what} with that id.")
    return row


def _listed(c: Caller, model, owner, where=None):
    """Newest first: every record for those who see all, else the caller's own."""
    stmt = sa.select(model).order_by(model.created_at.desc(), model.id)
    if where is not None:
        stmt = stmt.where(where)
    return stmt if may_see_all(c) else stmt.where(owner == c.user_id)


def visible_application(c: Caller, app_id: str) -> FundApplication:
    return _visible(
        c, FundApplication, app_id, FundApplication.applicant_user_id, "fund application", "fund_application"
    )


def applications_stmt(c: Caller, round_id: str | None):
    return _listed(
        c,
        FundApplication,
        FundApplication.applicant_user_id,
        FundApplication.round_id == round_id if round_id else None,
    )


def _independent(app: FundApplication, reviewer: str) -> bool:
    """A reviewer is not the applicant and is outside the applicant's organisation."""
    return reviewer != app.applicant_user_id and app.organisation_id not in organisations_of_user(reviewer)


def review(
    app: FundApplication, reviewer: str, score: int, comment: str, no_conflict: bool = False
) -> tuple[FundReview, bool]:
    """One review per reviewer per round; a second one from the same reviewer replaces it.
    A reviewer from the applicant's organisation (or the applicant) may not review it."""
    if app.state != "submitted":
        raise RuleViolation("The application already has an outcome.", unmet=["undecided"])
    if not _independent(app, reviewer):
        raise RuleViolation(
            "A reviewer must be independent of the application: not the applicant and not "
            "from the applicant's organisation.",
            unmet=["independent_reviewer"],
        )
    rev = db.session.scalar(
        sa.select(FundReview).where(
            FundReview.application_id == app.id,
            FundReview.round_id == app.round_id,
            FundReview.reviewer_user_id == reviewer,
        )
    )
    created = rev is None
    if created:
        rev = FundReview(application_id=app.id, round_id=app.round_id, reviewer_user_id=reviewer)
        db.session.add(rev)
    rev.score, rev.comment, rev.no_conflict = score, comment, bool(no_conflict)
    rev.created_at = now()
    return rev, created


def review_view(rev: FundReview) -> dict:
    return {
        "id": rev.id,
        "application_id": rev.application_id,
        "round_id": rev.round_id,
        "reviewer_user_id": rev.reviewer_user_id,
        "score": rev.score,
        "comment": rev.comment,
        "no_conflict": rev.no_conflict,
        "created_at": iso(rev.created_at),
    }


def qualifying_reviews(app: FundApplication) -> int:
    """Reviews that count towards an award: this round's, each declaring no conflict, by a
    reviewer who is (still) independent of the application."""
    reviewers = db.session.scalars(
        sa.select(FundReview.reviewer_user_id).where(
            FundReview.application_id == app.id,
            FundReview.round_id == app.round_id,
            FundReview.no_conflict.is_(True),
        )
    )
    return sum(1 for reviewer in set(reviewers) if _independent(app, reviewer))


def _scores(app_id: str, round_id: str | None = None) -> tuple[int, float | None]:
    stmt = sa.select(sa.func.count(), sa.func.avg(FundReview.score)).where(
        FundReview.application_id == app_id
    )
    if round_id:
        stmt = stmt.where(FundReview.round_id == round_id)
    count, avg = db.session.execute(stmt).one()
    return count, (round(float(avg), 2) if avg is not None else None)


def application_view(app: FundApplication, with_reviews: bool = False) -> dict:
    count, avg = _scores(app.id)
    award = db.session.scalar(sa.select(FundAward).where(FundAward.application_id == app.id))
    out = {
        "id": app.id,
        "round_id": app.round_id,
        "practitioner_id": app.practitioner_id,
        "organisation_id": app.organisation_id,
        "package_type": app.package_type,
        "summary": app.summary,
        "state": app.state,
        "deferrals": app.deferrals,
        "amount_requested": package_price(app.package_type),
        "currency": CURRENCY,
        "reviews_count": count,
        "average_score": avg,
        "qualifying_reviews": qualifying_reviews(app),
        "reviews_needed": REVIEWS_FOR_AWARD,
        "award_id": award.id if award else None,
        "created_at": iso(app.created_at),
    }
    if with_reviews:
        out["reviews"] = [
            review_view(r)
            for r in db.session.scalars(
                sa.select(FundReview)
                .where(FundReview.application_id == app.id)
                .order_by(FundReview.created_at)
            )
        ]
        out["decisions"] = [
            decision_view(d)
            for d in db.session.scalars(
                sa.select(FundDecision)
                .where(FundDecision.application_id == app.id)
                .order_by(FundDecision.decided_at)
            )
        ]
    return out


# ---- decisions, awards, gifts, ledger -------------------------------------------------------


def decide(app: FundApplication, outcome: str, note: str | None, user_id: str) -> dict:
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
    award = None
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
        emit(
            "cic.fund.awarded",
            {
                "award_id": award.id,
                "application_id": app.id,
                "practitioner_id": app.practitioner_id,
                "organisation_id": app.organisation_id,
                "package_type": app.package_type,
                "amount": amount,
            },
        )
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
    return {
        "id": d.id,
        "round_id": d.round_id,
        "outcome": d.outcome,
        "note": d.note,
        "decided_by": d.decided_by,
        "decided_at": iso(d.decided_at),
    }


def summary(r: FundRound) -> dict:
    in_round = set(db.session.scalars(sa.select(FundApplication.id).where(FundApplication.round_id == r.id)))
    decisions = {
        d.application_id: d
        for d in db.session.scalars(sa.select(FundDecision).where(FundDecision.round_id == r.id))
    }
    apps = []
    for app_id in in_round | set(decisions):
        app = db.session.get(FundApplication, app_id)
        count, avg = _scores(app_id, r.id)
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
        "round": round_view(r),
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


def give(user_id: str, amount: int, supporter_name: str | None) -> FundGift:
    """A pledge: it counts for nothing until CIC staff mark the money received."""
    gift = FundGift(amount=amount, supporter_name=supporter_name, given_by=user_id, state="pledged")
    db.session.add(gift)
    return gift


def visible_gift(c: Caller, gift_id: str) -> FundGift:
    """A gift for CIC staff and fund reviewers, or for the user who pledged it; else 404."""
    return _visible(c, FundGift, gift_id, FundGift.given_by, "gift", "fund_gift")


def gifts_stmt(c: Caller, state: str | None):
    return _listed(c, FundGift, FundGift.given_by, FundGift.state == state if state else None)


def receive_gift(gift: FundGift, user_id: str, reference: str | None) -> FundGift:
    """CIC staff saw the money arrive: the gift now counts in the fund's balance."""
    lock_fund()
    done = db.session.execute(
        sa.update(FundGift)
        .where(FundGift.id == gift.id, FundGift.state == "pledged")
        .values(state="received", received_at=now(), received_by=user_id, reference=reference)
    ).rowcount
    db.session.refresh(gift)
    if not done:
        raise RuleViolation(
            f"Only a pledged gift can be marked received; this one is {gift.state}.", unmet=["gift_pledged"]
        )
    return gift


def void_gift(gift: FundGift, user_id: str) -> FundGift:
    """Reverse a gift: a pledge that never came, or a received gift the fund still holds (the
    balance without it stays at or above zero; money already committed to awards cannot be
    taken back)."""
    lock_fund()
    db.session.refresh(gift)
    if gift.state == "void":
        raise RuleViolation("The gift is already void.", unmet=["gift_not_void"])
    if gift.state == "received" and ledger_totals()["balance"] < gift.amount:
        raise RuleViolation(
            "The fund no longer holds this gift: awards have committed it, so it cannot be voided.",
            unmet=["fund_holds_gift"],
        )
    done = db.session.execute(
        sa.update(FundGift)
        .where(FundGift.id == gift.id, FundGift.state == gift.state)
        .values(state="void", voided_at=now(), voided_by=user_id)
    ).rowcount
    db.session.refresh(gift)
    if not done:
        raise RuleViolation("The gift changed meanwhile; try again.", unmet=["gift_not_void"])
    return gift


def gift_view(g: FundGift) -> dict:
    return {
        "id": g.id,
        "state": g.state,
        "amount": g.amount,
        "currency": CURRENCY,
        "name": g.supporter_name,
        "supporter_name": g.supporter_name,
        "created_at": iso(g.created_at),
        "received_at": iso(g.received_at),
        "voided_at": iso(g.voided_at),
    }


def ledger_totals() -> dict:
    """The balance counts received gifts only (pledges and void gifts count for nothing)."""
    gifts = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(FundGift.amount), 0)).where(FundGift.state == "received")
    )
    awards = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(FundAward.amount), 0)))
    return {"gifts_total": int(gifts), "awards_total": int(awards), "balance": int(gifts) - int(awards)}


def ledger() -> dict:
    totals = ledger_totals()
    pledged_count, pledged_total = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(FundGift.amount), 0)).where(
            FundGift.state == "pledged"
        )
    ).one()
    entries = [
        {"kind": "gift", "id": g.id, "amount": g.amount, "state": g.state, "at": iso(g.received_at)}
        for g in db.session.scalars(sa.select(FundGift).where(FundGift.state == "received"))
    ]
    entries += [
        {
            "kind": "award",
            "id": a.id,
            "amount": -a.amount,
            "application_id": a.application_id,
            "state": a.state,
            "at": iso(a.created_at),
        }
        for a in db.session.scalars(sa.select(FundAward))
    ]
    entries.sort(key=lambda e: (e["at"] or "", e["id"]))
    return {
        "currency": CURRENCY,
        **totals,
        "gifts_count": sum(1 for e in entries if e["kind"] == "gift"),
        "awards_count": sum(1 for e in entries if e["kind"] == "award"),
        "pledged_total": int(pledged_total),
        "pledged_count": int(pledged_count),
        "shortfall": max(-totals["balance"], 0),
        "entries": entries[-LEDGER_ENTRIES:],
    }  # the latest; the totals cover them all


def redeem_award(award_id: str, package_id: str) -> None:
    """training.fund_award.redeemed: the award paid for a package; it cannot pay twice."""
    award = db.session.get(FundAward, award_id)
    if award is not None and award.state == "awarded":
        award.state = "redeemed"
        award.package_id = package_id
