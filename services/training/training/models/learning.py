"""Learning: a person's enrolment on a catalogue course (courses themselves are data in
rules/catalogue.py, not rows), and the online L1-2 account a seat source paid for."""

import sqlalchemy as sa

from .base import created_column, db, id_column


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    course_code = sa.Column(sa.String(60), nullable=False)
    level = sa.Column(sa.Integer, nullable=False)  # copied from the catalogue: counts query by level
    funding = sa.Column(sa.String(20), nullable=False)  # cpd_credit | package | bursary | self
    # the organisation whose learner this is (seat owner, bursary fund, affiliate credit); null when personal
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=True, index=True)
    package_id = sa.Column(sa.String(32), nullable=True)  # funding=package: the package's account
    bursary_place_id = sa.Column(sa.String(32), nullable=True)  # funding=bursary
    order_id = sa.Column(sa.String(32), nullable=True)  # self-funded purchase
    price = sa.Column(sa.Integer, nullable=False, default=0)  # the course fee this enrolment stands for
    progress = sa.Column(sa.Integer, nullable=False, default=0)  # percent 0-100
    state = sa.Column(sa.String(20), nullable=False, default="active")  # active | completed
    completed_at = sa.Column(sa.DateTime, nullable=True)
    created_at = created_column()
    # one enrolment per person and course: a second (even a concurrent one) is 409 already_enrolled
    # one live enrolment per person and course; a cancelled one (its invoice voided) leaves room
    __table_args__ = (
        sa.Index(
            "uq_enrolment_person_course",
            "person_id",
            "course_code",
            unique=True,
            postgresql_where=sa.text("state <> 'cancelled'"),
            sqlite_where=sa.text("state <> 'cancelled'"),
        ),
    )


class LearningAccount(db.Model):
    """An online L1-2 account: one per person and seat source. The first L1-2 enrolment draws
    it (one CPD seat, one package account, one bursary place); later L1-2 courses reuse it."""

    __tablename__ = "learning_accounts"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    funding = sa.Column(sa.String(20), nullable=False)
    organisation_id = sa.Column(sa.String(32), nullable=True, index=True)
    package_id = sa.Column(sa.String(32), nullable=True, index=True)
    bursary_place_id = sa.Column(sa.String(32), nullable=True)
    # a package's accounts are numbered 1..online_accounts: two requests cannot take the same one
    slot = sa.Column(sa.Integer, nullable=True)
    created_at = created_column()
    __table_args__ = (
        sa.Index(
            "uq_learning_accounts_package_slot",
            "package_id",
            "slot",
            unique=True,
            postgresql_where=sa.text("package_id IS NOT NULL"),
            sqlite_where=sa.text("package_id IS NOT NULL"),
        ),
    )
