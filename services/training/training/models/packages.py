"""Microproject packages sold for a practitioner, and what cic-tracker reports back (counts only)."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class Package(db.Model):
    __tablename__ = "packages"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    practitioner_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    type = sa.Column(sa.Integer, nullable=False)  # 1-4
    price = sa.Column(sa.Integer, nullable=False)
    funding = sa.Column(sa.String(20), nullable=False)  # organisation | self | fund_award
    fund_award_id = sa.Column(sa.String(100), nullable=True, unique=True)
    order_id = sa.Column(sa.String(32), nullable=True)
    tracker_uses = sa.Column(sa.Integer, nullable=False)
    online_accounts = sa.Column(sa.Integer, nullable=False)
    practitioner_licence_id = sa.Column(sa.String(32), nullable=True)
    # reported by cic-tracker (counts only, never anything about a case)
    credits_left = sa.Column(sa.Integer, nullable=True)
    cases_count = sa.Column(sa.Integer, nullable=False, default=0)
    practicum_state = sa.Column(sa.String(20), nullable=False, default="open")  # open | completed
    completed_at = sa.Column(sa.DateTime, nullable=True)
    # set when its invoice is voided before cic-tracker reported any use: no more Tracker use
    cancelled_at = sa.Column(sa.DateTime, nullable=True)
    created_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()


class FundAward(db.Model):
    """A Microproject Development Fund award reported by cic-tracker: it pays for one package."""

    __tablename__ = "fund_awards"
    id = sa.Column(sa.String(100), primary_key=True)  # cic's award_id
    application_id = sa.Column(sa.String(100), nullable=False)
    practitioner_id = sa.Column(sa.String(100), nullable=False, index=True)
    organisation_id = sa.Column(sa.String(100), nullable=False, index=True)
    package_type = sa.Column(sa.Integer, nullable=False)
    amount = sa.Column(sa.Integer, nullable=False)
    state = sa.Column(sa.String(20), nullable=False, default="available")  # available | used
    package_id = sa.Column(sa.String(32), nullable=True)
    created_at = created_column()


class PackageAccountGrant(db.Model):
    """A member the package's organisation admin assigned one of its online L1-2 accounts to
    (besides the package's practitioner, who may always use them)."""

    __tablename__ = "package_account_grants"
    id = id_column()
    package_id = sa.Column(sa.String(32), sa.ForeignKey("packages.id"), nullable=False, index=True)
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    granted_by = sa.Column(sa.String(64), nullable=False)
    created_at = created_column()
    __table_args__ = (sa.UniqueConstraint("package_id", "person_id", name="uq_package_account_grant"),)
