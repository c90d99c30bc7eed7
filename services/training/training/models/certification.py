"""Certification: pathway items a person has booked (and paid for through an order) and the
roles they have been certified in."""

import sqlalchemy as sa

from .base import created_column, db, id_column

# consolidation sessions are the one item booked in parts (the Informed role asks for 3)
PATHWAY_ITEM_ONCE_WHERE = "state <> 'cancelled' AND item <> 'consolidation'"


class PathwayItem(db.Model):
    """One bookable requirement (a course or session block) bought by a person. Booked once,
    it counts for every role that needs it: Deep Dive is never charged twice."""

    __tablename__ = "pathway_items"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    item = sa.Column(sa.String(40), nullable=False)  # requirement code (study_support, deep_dive, ...)
    role = sa.Column(sa.String(20), nullable=False)  # the role it was booked towards
    organisation_id = sa.Column(sa.String(32), nullable=True, index=True)
    quantity = sa.Column(sa.Integer, nullable=False, default=1)
    price = sa.Column(sa.Integer, nullable=False)  # pence, the whole booking (unit price x quantity)
    state = sa.Column(sa.String(20), nullable=False, default="booked")  # booked | completed
    order_id = sa.Column(sa.String(32), nullable=True)
    booked_by = sa.Column(sa.String(64), nullable=True)
    created_at = created_column()
    completed_at = sa.Column(sa.DateTime, nullable=True)
    completed_by = sa.Column(sa.String(64), nullable=True)
    # A live (not cancelled) item is booked once per person: two simultaneous bookings cannot
    # both pass. Only consolidation sessions are bought in several bookings (3 sessions, one or
    # more at a time); those are serialised by a lock on the person row instead.
    __table_args__ = (
        sa.Index(
            "uq_pathway_items_person_item_live",
            "person_id",
            "item",
            unique=True,
            postgresql_where=sa.text(PATHWAY_ITEM_ONCE_WHERE),
            sqlite_where=sa.text(PATHWAY_ITEM_ONCE_WHERE),
        ),
    )


class Certification(db.Model):
    __tablename__ = "certifications"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    role = sa.Column(sa.String(20), nullable=False)
    organisation_id = sa.Column(sa.String(32), nullable=True, index=True)
    status = sa.Column(sa.String(20), nullable=False, default="current")  # current | withdrawn
    certified_at = sa.Column(sa.DateTime, nullable=False)
    # pathway: earned here; recognised: recorded by a training admin (I Matter Training's own team)
    basis = sa.Column(sa.String(20), nullable=False, default="pathway", server_default="pathway")
    reason = sa.Column(sa.String(300), nullable=True)
    recorded_by = sa.Column(sa.String(64), nullable=True)
    # withdrawn by a training admin (status withdrawn): its credential shows as revoked
    withdrawn_at = sa.Column(sa.DateTime, nullable=True)
    withdrawn_by = sa.Column(sa.String(64), nullable=True)
    withdrawal_reason = sa.Column(sa.String(300), nullable=True)
    created_at = created_column()
    __table_args__ = (sa.UniqueConstraint("person_id", "role", name="uq_certification_person_role"),)
