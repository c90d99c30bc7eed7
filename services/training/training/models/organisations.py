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


# A membership is an invitation until the person accepts it (DOMAIN "Consent and identity"); these
# two are open, declined and ended are closed (Membership below).
OPEN_STATES = ("invited", "active")
_OPEN = "status IN ('invited', 'active')"


class Membership(db.Model):
    """A person's place in an organisation. `status` (exposed as `state`): invited -> active
    (accepted) or declined; active -> ended. An invitation by email has no person yet
    (`person_id` NULL, `email` set) until whoever verifies that email accepts it. At most one
    open (invited or active) membership per (organisation, person) and per (organisation, email)."""

    __tablename__ = "memberships"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=True, index=True)
    email = sa.Column(sa.String(254), nullable=True, index=True)  # an invitation addressed to an email
    role = sa.Column(sa.String(40), nullable=False)
    status = sa.Column(
        sa.String(20), nullable=False, default="invited"
    )  # invited | active | declined | ended
    invited_by = sa.Column(sa.String(64), nullable=True)  # gateway user who sent the invitation
    responded_at = sa.Column(sa.DateTime, nullable=True)  # accepted or declined
    created_at = created_column()
    __table_args__ = (
        sa.Index("ix_membership_org_person", "organisation_id", "person_id"),
        sa.Index(
            "uq_membership_open_person",
            "organisation_id",
            "person_id",
            unique=True,
            postgresql_where=sa.text(_OPEN + " AND person_id IS NOT NULL"),
            sqlite_where=sa.text(_OPEN + " AND person_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_membership_open_email",
            "organisation_id",
            "email",
            unique=True,
            postgresql_where=sa.text(_OPEN + " AND email IS NOT NULL"),
            sqlite_where=sa.text(_OPEN + " AND email IS NOT NULL"),
        ),
    )
