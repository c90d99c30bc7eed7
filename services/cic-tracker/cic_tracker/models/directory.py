"""What cic-tracker knows about professionals and organisations, learnt from training's events.

Ids, roles, statuses and dates only: no names, no e-mails. These tables answer "who is
calling and what may they see" without ever asking training at request time.
"""

import sqlalchemy as sa

from .base import db, utcnow


class KnownPerson(db.Model):
    """training.person.linked: this training person is this gateway user."""

    __tablename__ = "known_people"
    person_id = sa.Column(sa.String(100), primary_key=True)
    user_id = sa.Column(sa.String(100), nullable=True, index=True)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class OrgMembership(db.Model):
    """training.membership.changed: the latest role and status of a person in an organisation."""

    __tablename__ = "org_memberships"
    organisation_id = sa.Column(sa.String(100), primary_key=True)
    person_id = sa.Column(sa.String(100), primary_key=True, index=True)
    user_id = sa.Column(sa.String(100), nullable=True, index=True)
    role = sa.Column(sa.String(50), nullable=False)
    status = sa.Column(sa.String(20), nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class OrgAdmin(db.Model):
    """training.organisation_admin.changed: a signed-in user who administers an organisation."""

    __tablename__ = "org_admins"
    organisation_id = sa.Column(sa.String(100), primary_key=True)
    user_id = sa.Column(sa.String(100), primary_key=True, index=True)
    status = sa.Column(sa.String(20), nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Certification(db.Model):
    """training.practitioner.certified: a role certified for a person (in an organisation or none)."""

    __tablename__ = "certifications"
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    person_id = sa.Column(sa.String(100), nullable=False, index=True)
    role = sa.Column(sa.String(40), nullable=False)
    organisation_id = sa.Column(sa.String(100), nullable=True)
    certified_at = sa.Column(sa.String(40), nullable=False)
    __table_args__ = (sa.UniqueConstraint("person_id", "role", "organisation_id", name="uq_certification"),)


class OrgLicence(db.Model):
    """training.licence.changed: the latest status of each licence type of an organisation."""

    __tablename__ = "org_licences"
    organisation_id = sa.Column(sa.String(100), primary_key=True)
    licence_type = sa.Column(sa.String(20), primary_key=True)
    status = sa.Column(sa.String(20), nullable=False)
    valid_until = sa.Column(sa.String(40), nullable=True)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class KnownOrganisation(db.Model):
    """An organisation's kind (school, commissioner, locality_hub, ...), from the optional
    `organisation_kind` of training.organisation_admin.changed: commissioners see the
    evaluation summary; hubs link to `locality_hub` organisations."""

    __tablename__ = "known_organisations"
    organisation_id = sa.Column(sa.String(100), primary_key=True)
    kind = sa.Column(sa.String(40), nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class PractitionerLicence(db.Model):
    """training.practitioner_licence.changed: the latest state of each Microproject Practitioner
    Licence; Tracker use stops while the practitioner's licence is paused or lapsed."""

    __tablename__ = "practitioner_licences"
    licence_id = sa.Column(sa.String(100), primary_key=True)
    person_id = sa.Column(sa.String(100), nullable=False, index=True)
    state = sa.Column(sa.String(20), nullable=False)
    valid_until = sa.Column(sa.String(40), nullable=True)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
