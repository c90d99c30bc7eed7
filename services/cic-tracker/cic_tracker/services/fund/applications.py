"""Fund applications and their reviews: an application is checked against what cic knows by
event (DOMAIN "Rulings" -> CIC); independent reviewers score it. What its answer shows beyond
the row (scores, its award, its reviews and decisions) is read here for the response schema."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.contract.packages import LICENCE_REQUIREMENT, REQUIRED_LICENCE
from imatter_shared.events.envelope import parse_timestamp
from imatter_shared.web.errors import RuleViolation

from ...authz import Caller, organisations_of_user
from ...extensions import db
from ...models import (
    Certification,
    FundApplication,
    FundAward,
    FundDecision,
    FundReview,
    OrgAdmin,
    OrgLicence,
    OrgMembership,
)
from ..common import now
from .access import listed, visible_record
from .rounds import open_round

REVIEWS_FOR_AWARD = 2


def _organisation_known(org_id: str) -> bool:
    """cic knows an organisation only from training's events about it."""
    for model in (OrgLicence, OrgMembership, OrgAdmin, Certification):
        if db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.organisation_id == org_id)
        ):
            return True
    return False


def _enhanced_active(org_id: str) -> bool:
    lic = db.session.get(OrgLicence, (org_id, REQUIRED_LICENCE))
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
        unmet.append(LICENCE_REQUIREMENT)
    member = db.session.get(OrgMembership, (org, practitioner))
    if member is None or member.status != "active":
        unmet.append("accepted_member")
    return unmet


APPLICATION_RULES = {
    "own_practitioner": "the practitioner must be you (your own person in I Matter Training)",
    "organisation_known": "the organisation must be one I Matter Training has told the CIC about",
    LICENCE_REQUIREMENT: "the organisation must hold an active Enhanced Practice Licence",
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


def visible_application(c: Caller, app_id: str) -> FundApplication:
    return visible_record(
        c, FundApplication, app_id, FundApplication.applicant_user_id, "fund application", "fund_application"
    )


def applications_stmt(c: Caller, round_id: str | None):
    return listed(
        c,
        FundApplication,
        FundApplication.applicant_user_id,
        FundApplication.round_id == round_id if round_id else None,
    )


def independent(app: FundApplication, reviewer: str) -> bool:
    """A reviewer is not the applicant and is outside the applicant's organisation."""
    return reviewer != app.applicant_user_id and app.organisation_id not in organisations_of_user(reviewer)


def review(
    app: FundApplication, reviewer: str, score: int, comment: str, no_conflict: bool = False
) -> tuple[FundReview, bool]:
    """One review per reviewer per round; a second one from the same reviewer replaces it.
    A reviewer from the applicant's organisation (or the applicant) may not review it."""
    if app.state != "submitted":
        raise RuleViolation("The application already has an outcome.", unmet=["undecided"])
    if not independent(app, reviewer):
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
    return sum(1 for reviewer in set(reviewers) if independent(app, reviewer))


def scores(app_id: str, round_id: str | None = None) -> tuple[int, float | None]:
    stmt = sa.select(sa.func.count(), sa.func.avg(FundReview.score)).where(
        FundReview.application_id == app_id
    )
    if round_id:
        stmt = stmt.where(FundReview.round_id == round_id)
    count, avg = db.session.execute(stmt).one()
    return count, (round(float(avg), 2) if avg is not None else None)


def award_of(app: FundApplication) -> FundAward | None:
    return db.session.scalar(sa.select(FundAward).where(FundAward.application_id == app.id))


def reviews_of(app: FundApplication) -> list[FundReview]:
    return list(
        db.session.scalars(
            sa.select(FundReview).where(FundReview.application_id == app.id).order_by(FundReview.created_at)
        )
    )


def decisions_of(app: FundApplication) -> list[FundDecision]:
    return list(
        db.session.scalars(
            sa.select(FundDecision)
            .where(FundDecision.application_id == app.id)
            .order_by(FundDecision.decided_at)
        )
    )
