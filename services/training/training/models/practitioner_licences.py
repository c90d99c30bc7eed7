"""The Microproject Practitioner Licence (earlier name: Mini Candle Practitioner Licence)."""

import sqlalchemy as sa

from .base import created_column, db, id_column

# the stored states of a licence a person holds (one at a time); a licence past its term is
# stored as `lapsed` when its holder applies afresh
LIVE_LICENCE_WHERE = "state IN ('applied', 'active', 'paused')"


class PractitionerLicence(db.Model):
    __tablename__ = "practitioner_licences"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    applied_as = sa.Column(
        sa.String(20), nullable=False, default="microproject"
    )  # microproject | mini_candle
    idea = sa.Column(sa.Text, nullable=False)
    focus_areas = sa.Column(sa.JSON, nullable=False)
    # applied -> active <-> paused; active/paused past valid_until read as lapsed; renew -> active
    state = sa.Column(sa.String(20), nullable=False, default="applied")
    resume_to = sa.Column(sa.String(20), nullable=True)  # the state a paused licence resumes to
    valid_from = sa.Column(sa.DateTime, nullable=True)
    valid_until = sa.Column(sa.DateTime, nullable=True)
    approved_at = sa.Column(sa.DateTime, nullable=True)
    approved_by = sa.Column(sa.String(64), nullable=True)
    paused_at = sa.Column(sa.DateTime, nullable=True)
    renewals = sa.Column(sa.Integer, nullable=False, default=0)
    # the state last announced to cic-tracker by training.practitioner_licence.changed (active,
    # paused, lapsed); the expiry job announces a licence whose term ended once ("lapsed")
    announced_state = sa.Column(sa.String(20), nullable=True, index=True)
    created_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()
    __table_args__ = (
        sa.Index(
            "uq_practitioner_licences_person_live",
            "person_id",
            unique=True,
            postgresql_where=sa.text(LIVE_LICENCE_WHERE),
            sqlite_where=sa.text(LIVE_LICENCE_WHERE),
        ),
    )
