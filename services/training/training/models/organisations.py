"""Organisations, their admins (link contacts) and members."""
import sqlalchemy as sa

from .base import created_column, db, id_column


class Organisation(db.Model):
    __tablename__ = "organisations"
    id = id_column()
    name = sa.Column(sa.String(200), nullable=False)
    kind = sa.Column(sa.String(40), nullable=False)
    size_band = sa.Column(sa.String(40), nullable=False)
    link_contact_email = sa.Column(sa.String(254), nullable=False)
    senior_leadership_commitment = sa.Column(sa.Boolean, nullable=False, default=False)
    created_by = sa.Column(sa.String(64), nullable=False)  # gateway user id
    created_at = created_column()


class OrganisationAdmin(db.Model):
    """A signed-in user who administers an organisation (the link contact role)."""

    __tablename__ = "organisation_admins"
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), primary_key=True)
    user_id = sa.Column(sa.String(64), primary_key=True, index=True)
    created_at = created_column()


class Membership(db.Model):
    __tablename__ = "memberships"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    role = sa.Column(sa.String(40), nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default="active")  # active | ended
    created_at = created_column()
    __table_args__ = (sa.Index("ix_membership_org_person", "organisation_id", "person_id"),)
