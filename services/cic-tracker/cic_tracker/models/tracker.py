"""Progress Tracker: microproject workspaces, cases and what is recorded about a case.

Case data (code, consent wording, scores, notes, goals, reflections) lives only here and
never leaves this service; erasing a case keeps a tombstone with counts only.
"""

import sqlalchemy as sa

from .base import created_column, db, id_column, utcnow


class Microproject(db.Model):
    """Opened by training.package.purchased; one per package."""

    __tablename__ = "microprojects"
    id = id_column()
    package_id = sa.Column(sa.String(100), nullable=False, unique=True)
    package_type = sa.Column(sa.Integer, nullable=False)
    organisation_id = sa.Column(sa.String(100), nullable=False, index=True)
    practitioner_id = sa.Column(sa.String(100), nullable=False, index=True)
    hub_id = sa.Column(sa.String(32), sa.ForeignKey("hubs.id"), nullable=True, index=True)
    tracker_credits = sa.Column(sa.Integer, nullable=False)
    credits_used = sa.Column(sa.Integer, nullable=False, default=0)
    # cases that count (open, closed, erased; a withdrawn case leaves): taken with a guarded
    # UPDATE so the 3-case limit holds under concurrent openings on every engine
    cases_count = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    online_accounts = sa.Column(sa.Integer, nullable=False, default=0)
    setup_done_at = sa.Column(sa.DateTime, nullable=True)
    # each case's share of the credits ("2 Tracker uses pp"), guarded per case
    tracker_uses_per_case = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    # the overseer (a Lead Plus): assigned in the portal, `pending` until they accept; only an
    # accepted overseer reads case text or signs the practicum off (rows 29/30/45)
    overseer_person_id = sa.Column(sa.String(100), nullable=True, index=True)
    overseer_state = sa.Column(sa.String(20), nullable=True)  # pending | accepted
    overseer_via = sa.Column(sa.String(20), nullable=True)  # organisation | training
    overseer_assigned_by = sa.Column(sa.String(100), nullable=True)  # gateway user id
    overseer_assigned_at = sa.Column(sa.DateTime, nullable=True)
    overseer_accepted_at = sa.Column(sa.DateTime, nullable=True)
    # open | awaiting_sign_off (the practitioner asked to complete) | completed | cancelled
    state = sa.Column(sa.String(20), nullable=False, default="open")
    completion_reflection = sa.Column(sa.Text, nullable=True)
    completion_requested_at = sa.Column(sa.DateTime, nullable=True)
    # the supervised practicum (row 35): who signed it off, and when
    signed_off_by_person_id = sa.Column(sa.String(100), nullable=True)
    signed_off_by_user_id = sa.Column(sa.String(100), nullable=True)
    signed_off_as = sa.Column(sa.String(20), nullable=True)  # overseer | lead | lead_plus
    signed_off_at = sa.Column(sa.DateTime, nullable=True)
    completed_at = sa.Column(sa.DateTime, nullable=True)
    created_at = created_column()

    @property
    def credits_left(self) -> int:
        return max(self.tracker_credits - self.credits_used, 0)


class Area(db.Model):
    """A named assessment area (configurable data; sample rows are seeded)."""

    __tablename__ = "tracker_areas"
    code = sa.Column(sa.String(40), primary_key=True)
    label = sa.Column(sa.String(200), nullable=False)
    position = sa.Column(sa.Integer, nullable=False, default=0)
    active = sa.Column(sa.Boolean, nullable=False, default=True)


class Case(db.Model):
    """A pseudonymous case. state: open | closed (support window over) | withdrawn | erased."""

    __tablename__ = "cases"
    id = id_column()
    microproject_id = sa.Column(sa.String(32), sa.ForeignKey("microprojects.id"), nullable=False, index=True)
    code = sa.Column(sa.String(64), nullable=True)  # null once erased
    state = sa.Column(sa.String(20), nullable=False, default="open")
    consent_given_by = sa.Column(sa.String(200), nullable=True)
    consent_scope = sa.Column(sa.String(1000), nullable=True)
    consent_given_at = sa.Column(sa.DateTime, nullable=True)
    consent_withdrawn_at = sa.Column(sa.DateTime, nullable=True)
    opened_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    support_until = sa.Column(sa.DateTime, nullable=False)
    closed_at = sa.Column(sa.DateTime, nullable=True)
    erased_at = sa.Column(sa.DateTime, nullable=True)
    # counts survive erasure (the tombstone): they decide completion and nothing else
    baselines_count = sa.Column(sa.Integer, nullable=False, default=0)
    follow_ups_count = sa.Column(sa.Integer, nullable=False, default=0)
    goals_count = sa.Column(sa.Integer, nullable=False, default=0)
    reflections_count = sa.Column(sa.Integer, nullable=False, default=0)
    # Tracker uses this case took, against the microproject's tracker_uses_per_case (guarded UPDATE)
    uses_count = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    # one code per microproject, also under concurrent openings (an erased case's code is null)
    __table_args__ = (sa.UniqueConstraint("microproject_id", "code", name="uq_case_code"),)


class Assessment(db.Model):
    """A baseline or follow-up; `scores` maps area code -> 0..10. Uses one Tracker credit."""

    __tablename__ = "assessments"
    id = id_column()
    case_id = sa.Column(
        sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = sa.Column(sa.String(20), nullable=False)
    scores = sa.Column(sa.JSON, nullable=False)
    notes = sa.Column(sa.Text, nullable=True)
    recorded_by = sa.Column(sa.String(100), nullable=False)
    created_at = created_column()
    seq = sa.Column(sa.Integer, nullable=False, default=0)  # order within the case


class Goal(db.Model):
    __tablename__ = "goals"
    id = id_column()
    case_id = sa.Column(
        sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    text = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(20), nullable=False)
    created_at = created_column()
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Reflection(db.Model):
    __tablename__ = "reflections"
    id = id_column()
    case_id = sa.Column(
        sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    text = sa.Column(sa.Text, nullable=False)
    created_at = created_column()
