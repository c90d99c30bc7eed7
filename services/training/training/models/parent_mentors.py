"""Parent Mentors (seed 001: "We are able to offer some experienced parents positions as Level 3
advanced level Parent Mentor"; volunteer places "are offered on the basis of application,
references and interview"). Decision 0058."""

import sqlalchemy as sa

from imatter_shared.dataprotection import pii

from .base import created_column, db, id_column

PM = "Parent Mentor applications and places"
KEPT = "while the person has an account with us; erased on request (flask dp erase)"


def _pii(what: str, subject: str | None = None, **kw) -> dict:
    extra = {"subject": subject} if subject else {}
    return pii(what, PM, "contract", KEPT, **extra, **kw)


def _account() -> dict:
    # a gateway user id: a match pseudonymises the row, never deletes what the user created
    return pii(
        "account identifier",
        "accountability: which account recorded or changed a record",
        "legitimate_interests",
        KEPT,
        subject="user_id",
        erase="pseudonymise",
    )


# the states in which a person holds an application or a place: one at a time
OPEN_STATES = ("applied", "offered", "accepted")


class ParentMentorApplication(db.Model):
    """applied -> offered -> accepted (the person holds a Parent Mentor place) or turned_down (the
    person said no to the offer); applied -> declined (by a training admin)."""

    __tablename__ = "parent_mentor_applications"
    id = id_column()
    person_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("people.id"),
        nullable=False,
        index=True,
        info=_pii("person identifier", subject="person_id"),
    )
    motivation = sa.Column(sa.Text, nullable=False, info=_pii("the applicant's own statement"))
    references = sa.Column(sa.JSON, nullable=False, info=_pii("referees' names, relationships and contacts"))
    state = sa.Column(sa.String(20), nullable=False, default="applied")
    interview_outcome = sa.Column(sa.String(20), nullable=True)  # passed | failed
    interview_at = sa.Column(sa.DateTime, nullable=True)
    interview_by = sa.Column(sa.String(64), nullable=True, info=_account())
    interview_note = sa.Column(
        sa.String(1000), nullable=True, info=_pii("interview note about the applicant (shown to them)")
    )
    decided_at = sa.Column(sa.DateTime, nullable=True)
    decided_by = sa.Column(sa.String(64), nullable=True, info=_account())
    decision_note = sa.Column(
        sa.String(1000), nullable=True, info=_pii("note on the decision (shown to them)")
    )
    answered_at = sa.Column(sa.DateTime, nullable=True)  # when the person accepted or turned down the offer
    created_by = sa.Column(sa.String(64), nullable=True, info=_account())
    created_at = created_column()

    # one open application or place per person: a lost race is a 409, never two rows
    __table_args__ = (
        sa.Index(
            "uq_parent_mentor_applications_open_person",
            "person_id",
            unique=True,
            postgresql_where=sa.text("state IN ('applied', 'offered', 'accepted')"),
            sqlite_where=sa.text("state IN ('applied', 'offered', 'accepted')"),
        ),
    )
