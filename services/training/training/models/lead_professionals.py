"""The Lead Professional route (seed 001): application, trainee year, implementation year,
obligation records, Level 3A group registrations and volunteer study supporter applications."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class LeadProfessionalApplication(db.Model):
    __tablename__ = "lead_professional_applications"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=True)
    route = sa.Column(sa.String(20), nullable=False)  # standard | fast_track
    specialism = sa.Column(sa.String(200), nullable=True)
    references = sa.Column(sa.JSON, nullable=False)
    senior_leadership_backing = sa.Column(sa.Boolean, nullable=False)
    # the senior leader who backs the application (seed 001: "support from senior leadership")
    senior_leader_name = sa.Column(sa.String(200), nullable=True)
    senior_leader_role = sa.Column(sa.String(200), nullable=True)
    # applied -> trainee -> implementation -> approved; applied -> declined
    state = sa.Column(sa.String(20), nullable=False, default="applied")
    interview_outcome = sa.Column(sa.String(20), nullable=True)  # passed | failed
    interview_at = sa.Column(sa.DateTime, nullable=True)
    interview_by = sa.Column(sa.String(64), nullable=True)  # the training admin who recorded it
    interview_note = sa.Column(sa.String(1000), nullable=True)  # shown to the applicant
    trainee_from = sa.Column(sa.DateTime, nullable=True)
    implementation_from = sa.Column(sa.DateTime, nullable=True)
    approved_at = sa.Column(sa.DateTime, nullable=True)
    created_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()

    # one open application or place per person: a lost race is a 409, never two rows
    __table_args__ = (
        sa.Index(
            "uq_lp_applications_open_person",
            "person_id",
            unique=True,
            postgresql_where=sa.text("state IN ('applied', 'trainee', 'implementation', 'approved')"),
            sqlite_where=sa.text("state IN ('applied', 'trainee', 'implementation', 'approved')"),
        ),
    )


class YearOverride(db.Model):
    """A training admin let a trainee leave a year before its date (DOMAIN "Rulings": the years are
    enforced by dates; a training admin may override, recording why). Once per application and year."""

    __tablename__ = "lead_professional_overrides"
    id = id_column()
    application_id = sa.Column(
        sa.String(32), sa.ForeignKey("lead_professional_applications.id"), nullable=False, index=True
    )
    rule = sa.Column(sa.String(40), nullable=False)  # trainee_year | implementation_year
    year_until = sa.Column(sa.DateTime, nullable=False)  # when the year would have ended
    reason = sa.Column(sa.String(1000), nullable=False)
    decided_by = sa.Column(sa.String(64), nullable=False)  # gateway user id of the training admin
    decided_by_name = sa.Column(sa.String(254), nullable=True)  # their name (or email) as shown on the record
    decided_at = sa.Column(sa.DateTime, nullable=False)
    created_at = created_column()
    __table_args__ = (sa.UniqueConstraint("application_id", "rule", name="uq_lp_overrides_application_rule"),)


class ObligationRecord(db.Model):
    """One fulfilment of a trainee obligation (a log book entry, a monthly session attended, ...)."""

    __tablename__ = "obligation_records"
    id = id_column()
    application_id = sa.Column(
        sa.String(32), sa.ForeignKey("lead_professional_applications.id"), nullable=False, index=True
    )
    obligation = sa.Column(sa.String(40), nullable=False)
    occurred_at = sa.Column(sa.DateTime, nullable=False)
    note = sa.Column(sa.String(500), nullable=True)  # about the trainee's own work, never about a case
    title = sa.Column(sa.String(200), nullable=True)  # a log book entry's heading
    recorded_by = sa.Column(sa.String(64), nullable=True)  # gateway user id (the trainee or a training admin)
    created_at = created_column()


class Level3AGroup(db.Model):
    """An in-house Foundation A group run under a Level 3A licence: no charge, but registered."""

    __tablename__ = "level_3a_groups"
    id = id_column()
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    lead_person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    course_code = sa.Column(sa.String(40), nullable=False)  # foundation_a1 | foundation_a2
    # professionals | parents | children_and_young_people (decision 0057)
    audience = sa.Column(sa.String(40), nullable=False)
    starts_on = sa.Column(sa.Date, nullable=False)
    participants_count = sa.Column(sa.Integer, nullable=False)
    # the practice scope of the programme (decision 0056): everyday_parenting under a Level 3A
    # licence; increased_pressure_parenting needs a licence that gives that scope
    scope = sa.Column(
        sa.String(40), nullable=False, default="everyday_parenting", server_default="everyday_parenting"
    )
    # the licence the group was registered under
    licence_id = sa.Column(sa.String(32), sa.ForeignKey("lp_licences.id"), nullable=True)
    created_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()


class StudySupporterApplication(db.Model):
    __tablename__ = "study_supporter_applications"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    motivation = sa.Column(sa.Text, nullable=False)
    # applied -> interviewed -> accepted | declined (a failed interview declines)
    state = sa.Column(sa.String(20), nullable=False, default="applied")
    references = sa.Column(sa.JSON, nullable=True)  # at least 2 (none on applications made before 0019)
    interview_outcome = sa.Column(sa.String(20), nullable=True)  # passed | failed
    interview_at = sa.Column(sa.DateTime, nullable=True)
    interview_by = sa.Column(sa.String(64), nullable=True)  # the training admin who recorded it
    interview_note = sa.Column(sa.String(1000), nullable=True)  # shown to the applicant
    decided_at = sa.Column(sa.DateTime, nullable=True)
    decided_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()

    # one open application or place per person: a lost race is a 409, never two rows
    __table_args__ = (
        sa.Index(
            "uq_study_supporter_applications_open_person",
            "person_id",
            unique=True,
            postgresql_where=sa.text("state IN ('applied', 'interviewed', 'accepted')"),
            sqlite_where=sa.text("state IN ('applied', 'interviewed', 'accepted')"),
        ),
    )
