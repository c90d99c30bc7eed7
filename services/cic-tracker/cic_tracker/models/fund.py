"""Microproject Development Fund: quarterly rounds, applications, reviews, awards, gifts."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class FundRound(db.Model):
    """state: open | closed | decided. One per calendar quarter (`quarter` e.g. 2026-Q4)."""

    __tablename__ = "fund_rounds"
    id = id_column()
    quarter = sa.Column(sa.String(10), nullable=False, unique=True)
    opens_at = sa.Column(sa.DateTime, nullable=False)
    closes_at = sa.Column(sa.DateTime, nullable=False)
    state = sa.Column(sa.String(20), nullable=False, default="open")
    closed_at = sa.Column(sa.DateTime, nullable=True)
    created_at = created_column()


class FundApplication(db.Model):
    """state: submitted | awarded | declined (deferral moves it, submitted, to the next round)."""

    __tablename__ = "fund_applications"
    id = id_column()
    round_id = sa.Column(sa.String(32), sa.ForeignKey("fund_rounds.id"), nullable=False, index=True)
    applicant_user_id = sa.Column(sa.String(100), nullable=False, index=True)
    practitioner_id = sa.Column(sa.String(100), nullable=False)
    organisation_id = sa.Column(sa.String(100), nullable=False)
    package_type = sa.Column(sa.Integer, nullable=False)
    summary = sa.Column(sa.String(2000), nullable=False)
    state = sa.Column(sa.String(20), nullable=False, default="submitted")
    deferrals = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = created_column()


class FundReview(db.Model):
    __tablename__ = "fund_reviews"
    id = id_column()
    application_id = sa.Column(
        sa.String(32), sa.ForeignKey("fund_applications.id"), nullable=False, index=True
    )
    round_id = sa.Column(sa.String(32), sa.ForeignKey("fund_rounds.id"), nullable=False)
    reviewer_user_id = sa.Column(sa.String(100), nullable=False)
    score = sa.Column(sa.Integer, nullable=False)
    comment = sa.Column(sa.String(2000), nullable=False, default="")
    # the reviewer declared no conflict of interest with the application (DOMAIN "Rulings"
    # -> CIC: an award needs two such reviews, by reviewers outside the applicant's organisation)
    no_conflict = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    created_at = created_column()
    __table_args__ = (
        sa.UniqueConstraint("application_id", "round_id", "reviewer_user_id", name="uq_review"),
    )


class FundDecision(db.Model):
    """Every outcome given to an application, in order (a deferral then a later award)."""

    __tablename__ = "fund_decisions"
    id = id_column()
    application_id = sa.Column(
        sa.String(32), sa.ForeignKey("fund_applications.id"), nullable=False, index=True
    )
    round_id = sa.Column(sa.String(32), sa.ForeignKey("fund_rounds.id"), nullable=False, index=True)
    outcome = sa.Column(sa.String(20), nullable=False)
    note = sa.Column(sa.String(2000), nullable=True)
    decided_by = sa.Column(sa.String(100), nullable=False)
    decided_at = created_column()


class FundAward(db.Model):
    """state: awarded | redeemed (training bought the package with it)."""

    __tablename__ = "fund_awards"
    id = id_column()
    application_id = sa.Column(
        sa.String(32), sa.ForeignKey("fund_applications.id"), nullable=False, unique=True
    )
    amount = sa.Column(sa.Integer, nullable=False)  # pence
    state = sa.Column(sa.String(20), nullable=False, default="awarded")
    package_id = sa.Column(sa.String(100), nullable=True)
    created_at = created_column()


class FundGift(db.Model):
    """ "Support a Journey": a gift into the fund, in pence. state: pledged (promised, counts for
    nothing) -> received (CIC staff saw the money arrive; counts in the balance) -> void
    (reversed: a pledge that never came, or a received gift taken back while the fund still
    holds it)."""

    __tablename__ = "fund_gifts"
    id = id_column()
    amount = sa.Column(sa.Integer, nullable=False)
    supporter_name = sa.Column(sa.String(200), nullable=True)
    given_by = sa.Column(sa.String(100), nullable=False, index=True)
    state = sa.Column(sa.String(20), nullable=False, default="pledged", server_default="pledged")
    received_at = sa.Column(sa.DateTime, nullable=True)
    received_by = sa.Column(sa.String(100), nullable=True)
    reference = sa.Column(sa.String(200), nullable=True)
    voided_at = sa.Column(sa.DateTime, nullable=True)
    voided_by = sa.Column(sa.String(100), nullable=True)
    created_at = created_column()


class FundAccount(db.Model):
    """One row ("fund"): every change to the fund's money (award, gift received or voided)
    first bumps its version, a guarded write that serialises them on PostgreSQL (row lock) and
    on SQLite (one writer), so a balance check and the write it allows cannot interleave."""

    __tablename__ = "fund_accounts"
    id = sa.Column(sa.String(20), primary_key=True)
    version = sa.Column(sa.Integer, nullable=False, default=0)
