"""Linking a person to a signed-in account: only by an explicit step, only for a verified email.

A person record belongs to the account whose *verified* email it carries (DOMAIN "Consent and
identity"). The two explicit steps are POST /api/v1/people with the caller's own email and
accepting an invitation; resolving the caller (authz.caller) never links anything.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..authz import forget_caller
from ..events import outgoing
from ..extensions import db
from ..models import Person


def link_person(person: Person, user_id: str) -> None:
    """Attach a person to a gateway user and tell cic-tracker (ids, and the email to sign in with)."""
    person.user_id = user_id
    outgoing.person_linked(person)


def oldest_unclaimed(email: str) -> Person | None:
    """The oldest person carrying this email that no account has claimed yet."""
    return db.session.scalar(
        sa.select(Person)
        .where(Person.email == email.strip().lower(), Person.user_id.is_(None))
        .order_by(Person.created_at, Person.id)
        .limit(1)
    )


def claim_own_person(principal, name: str | None = None, kind: str = "professional") -> tuple[Person, bool]:
    """The caller's person: already linked, else the oldest unclaimed person with the caller's
    verified email (linked now), else a new one. Returns (person, created). The caller of this
    function has checked `principal.email_verified`."""
    assert principal.email_verified, "only a verified email is ever linked"
    p = db.session.scalar(sa.select(Person).where(Person.user_id == principal.user_id))
    if p is not None:
        return p, False
    email = (principal.email or "").strip().lower()
    p = oldest_unclaimed(email)
    created = p is None
    if created:
        p = Person(
            name=(name or principal.name or email).strip()[:200],
            email=email,
            kind=kind,
            created_by=principal.user_id,
        )
        db.session.add(p)
        db.session.flush()
    link_person(p, principal.user_id)
    db.session.flush()
    forget_caller()
    return p, created
