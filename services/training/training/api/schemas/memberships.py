"""Memberships as the organisation's admins and the member see them."""

from __future__ import annotations

from marshmallow import missing

from ...extensions import db
from ...models import Organisation, Person
from ...services import seats
from .base import Computed, Opt, Out, Str, When, page_of


def _name(m):
    person = db.session.get(Person, m.person_id) if m.person_id else None
    return person.name if person else None


def _has_seat(m):
    return m.status == "active" and seats.active_assignment(m.organisation_id, m.person_id) is not None


def _organisation_name(m):
    org = db.session.get(Organisation, m.organisation_id)
    return org.name if org else None


class MemberOut(Out):
    """`state` (invited, active, declined, ended); `status` is the same value (older clients).
    `email` (an invitation's address) is shown to the organisation's admins only."""

    id = Str()
    organisation_id = Str()
    person_id = Opt()
    name = Computed(_name, metadata={"type": "string", "nullable": True})
    role = Str()
    state = Computed(lambda m: m.status, metadata={"type": "string"})
    status = Str()
    has_seat = Computed(_has_seat, metadata={"type": "boolean"})
    created_at = When()
    responded_at = When()
    email = Computed(
        lambda m: missing if m.email is None else m.email,
        metadata={"type": "string", "description": "an invitation's address; admins only"},
    )


class MyMembershipOut(MemberOut):
    organisation_name = Computed(_organisation_name, metadata={"type": "string", "nullable": True})


MemberPage = page_of(MemberOut)
MyMembershipPage = page_of(MyMembershipOut)
