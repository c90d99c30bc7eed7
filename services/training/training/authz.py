"""Who is calling, in training's terms: the gateway user, their person, their organisations.

Resolved on every request from the database, so what a user becomes after signing in
(their person, memberships, admin rights) takes effect on their next request. Resolving it
never writes: a person is linked to a user only by an explicit step (services/people.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from imatter_shared.web.auth import Principal, current_principal, log_refusal
from imatter_shared.web.errors import Forbidden, NotFound

from .extensions import db
from .models import Membership, Organisation, OrganisationAdmin, Person
from .queries.certification import roles_in_progress_or_certified
from .rules import funding as funding_rules

# built once, run with bound parameters (decision 0037): one of these per request
_PERSON_OF_USER = sa.select(Person).where(Person.user_id == sa.bindparam("user_id"))
_ADMINISTERS = (
    sa.select(sa.func.count())
    .select_from(OrganisationAdmin)
    .where(
        OrganisationAdmin.user_id == sa.bindparam("user_id"),
        OrganisationAdmin.organisation_id == sa.bindparam("org_id"),
    )
)
_BELONGS = (
    sa.select(sa.func.count())
    .select_from(Membership)
    .where(
        Membership.person_id == sa.bindparam("person_id"),
        Membership.organisation_id == sa.bindparam("org_id"),
        Membership.status == "active",
    )
)


def is_active_member(organisation_id: str, person_id: str) -> bool:
    """Whether the person holds an active (accepted, not ended) membership of the organisation."""
    return bool(db.session.scalar(_BELONGS, {"person_id": person_id, "org_id": organisation_id}))


class Caller:
    """The caller's principal and person; the organisations they administer or belong to are read
    on first use (a write that needs one organisation asks about that one: administers())."""

    def __init__(
        self,
        principal: Principal,
        person: Person | None,
        admin_org_ids: set[str] | None = None,
        member_org_ids: set[str] | None = None,
        *,
        lazy: bool = False,
    ):
        self.principal, self.person = principal, person
        self._admin = None if lazy else set(admin_org_ids or ())
        self._member = None if lazy else set(member_org_ids or ())

    @property
    def admin_org_ids(self) -> set[str]:
        if self._admin is None:
            self._admin = set(
                db.session.scalars(
                    sa.select(OrganisationAdmin.organisation_id).where(
                        OrganisationAdmin.user_id == self.principal.user_id
                    )
                )
            )
        return self._admin

    @property
    def member_org_ids(self) -> set[str]:
        if self._member is None:
            self._member = (
                set()
                if self.person is None
                else set(
                    db.session.scalars(
                        sa.select(Membership.organisation_id).where(
                            Membership.person_id == self.person.id, Membership.status == "active"
                        )
                    )
                )
            )
        return self._member

    def administers(self, organisation_id: str) -> bool:
        """organisation_id in admin_org_ids, without reading every organisation of the caller."""
        if self._admin is not None:
            return organisation_id in self._admin
        return bool(
            db.session.scalar(_ADMINISTERS, {"user_id": self.principal.user_id, "org_id": organisation_id})
        )

    def belongs_to(self, organisation_id: str) -> bool:
        """organisation_id in member_org_ids (an active membership of the caller's person)."""
        if self._member is not None:
            return organisation_id in self._member
        if self.person is None:
            return False
        return is_active_member(organisation_id, self.person.id)

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    @property
    def person_id(self) -> str | None:
        return self.person.id if self.person else None

    @property
    def is_training_admin(self) -> bool:
        return self.principal.has_role("training_admin")

    @property
    def organisation_ids(self) -> list[str]:
        return sorted(self.admin_org_ids | self.member_org_ids)

    def roles(self) -> list[str]:
        roles = set(self.principal.roles) | {"learner"}
        if self.admin_org_ids:
            roles.add("org_admin")
        if self.person is not None:
            if roles_in_progress_or_certified(self.person.id):
                roles.add("practitioner")
        return sorted(roles)


def caller(optional: bool = False) -> Caller | None:
    """Read-only: never writes or commits. The caller's person is only the person linked to their
    gateway user (`Person.user_id`); linking is an explicit step (POST /people with the caller's
    own verified email, or accepting an invitation). An unverified account has no person and no
    organisation here, whatever its email says."""
    if "caller" in g:
        return g.caller
    principal = current_principal(optional=optional)
    if principal is None:
        return None
    if not principal.email_verified:  # no person and no organisation here
        g.caller = Caller(principal, None)
        return g.caller
    person = db.session.scalar(_PERSON_OF_USER, {"user_id": principal.user_id})
    g.caller = Caller(principal, person, lazy=True)
    return g.caller


def forget_caller() -> None:
    """After the request linked the caller's person: the next caller() reads it afresh."""
    g.pop("caller", None)


def require_verified() -> Caller:
    """A verified account (the gateway says so in the hop token). Else 403."""
    c = caller()
    if not c.principal.email_verified:
        raise Forbidden("Verify your email address first: follow the link we emailed you.")
    return c


def require_org_admin(organisation_id: str) -> Caller:
    """Object-level check: an admin of this organisation, or a training admin. Else 404."""
    c = caller()
    if c.is_training_admin or c.administers(organisation_id):
        return c
    log_refusal("organisation", organisation_id)
    raise NotFound("No organisation with that id.")


def require_org_access(organisation_id: str) -> Caller:
    """Read access: admins and members of this organisation, or a training admin. Else 404."""
    c = caller()
    if c.is_training_admin or c.administers(organisation_id) or c.belongs_to(organisation_id):
        return c
    log_refusal("organisation", organisation_id)
    raise NotFound("No organisation with that id.")


# readable_organisation's statement per shape (verified or not, the extra columns asked for),
# built once with the organisation and the user as bound parameters
_READABLE: dict[tuple, sa.Select] = {}


def _table_of(column):
    """The table of a (labelled) table column; None for anything else (a scalar subquery)."""
    element = getattr(column, "element", column)
    table = getattr(element, "table", None)
    return table if isinstance(table, sa.Table) and "organisation_id" in table.c else None


def _readable_statement(verified: bool, also: tuple) -> sa.Select:
    key = (verified, tuple(id(c) for c in also))  # `also` is made once by its owner (stamp_columns)
    statement = _READABLE.get(key)
    if statement is None:
        user_id = sa.bindparam("user_id", type_=sa.String)
        admin, member = sa.literal(False), sa.literal(False)
        if verified:
            admin = sa.exists().where(
                OrganisationAdmin.organisation_id == Organisation.id, OrganisationAdmin.user_id == user_id
            )
            member = sa.exists().where(
                Membership.organisation_id == Organisation.id,
                Membership.status == "active",
                Membership.person_id == Person.id,
                Person.user_id == user_id,
            )
        # the organisation's columns, not the entity: the read only dumps them, and a Core row
        # skips the ORM's execution and object loading (docs/performance.md 1c)
        columns = Organisation.__table__.c
        # `also` may hold columns of another table with an organisation_id (the licences): that
        # table is LEFT JOINed on it, one row per its row (one row of NULLs when it has none)
        source = Organisation.__table__
        for table in dict.fromkeys(_table_of(c) for c in also):
            if table is not None and table is not Organisation.__table__:
                source = source.outerjoin(table, table.c.organisation_id == Organisation.id)
        statement = (
            sa.select(*columns, admin.label("is_admin"), member.label("is_member"), *also)
            .select_from(source)
            .where(Organisation.id == sa.bindparam("org_id", type_=sa.String))
        )
        if len(_READABLE) >= 16:
            _READABLE.clear()
        _READABLE[key] = statement
    return statement


def readable_organisation(organisation_id: str, also: tuple = ()) -> tuple[Organisation, object]:
    """The organisation, when the caller may read it (require_org_access's rule: an admin or an
    active member of it, or a training admin), in ONE statement: the row with whether the caller
    administers it and whether their person holds an active membership in it. An unverified
    account has neither, as in caller(). Else 404, the refusal logged as require_org_access
    logs it. When the caller is already resolved for this request, its sets answer instead.
    `also`: more labelled columns to read in the same statement, of another table with an
    `organisation_id` too (joined: one row per its row); returns (organisation, the rows holding
    them, or None when they were not read). The organisation is for reading only: the model when
    the caller was resolved, else the first row itself (its columns under the model's attribute
    names), not an object in the session."""
    if "caller" in g:
        require_org_access(organisation_id)
        org = db.session.get(Organisation, organisation_id)
        if org is None:
            raise NotFound("No organisation with that id.")
        return org, None
    principal = current_principal()
    rows = (
        db.session.connection()
        .execute(
            _readable_statement(bool(principal.email_verified), tuple(also)),
            {"org_id": organisation_id, "user_id": principal.user_id},
        )
        .all()
    )
    row = rows[0] if rows else None
    training_admin = principal.has_role("training_admin")
    if row is not None and (training_admin or row.is_admin or row.is_member):
        return row, rows
    if not training_admin:
        log_refusal("organisation", organisation_id)
    raise NotFound("No organisation with that id.")


def admins_person_through_membership(c: Caller, person_id: str) -> bool:
    """The caller administers an organisation in which the person holds an ACCEPTED (active)
    membership. Invitations give the organisation nothing."""
    if not c.admin_org_ids:
        return False
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(
                Membership.person_id == person_id,
                Membership.status == "active",
                Membership.organisation_id.in_(c.admin_org_ids),
            )
        )
    )


def require_person_access(person_id: str, org_may: bool = False) -> Caller:
    """The person themself or a training admin; with `org_may=True` also an admin of an
    organisation where the person holds an accepted membership. Else 404.

    `org_may` is for what the organisation needs (DOMAIN "Consent and identity": name, roles,
    pathway and certification status, and the learning it arranges); never for notification
    settings, practitioner-licence ideas or actions, invoices to the person, directory entries
    or `funding: self` bookings. Callers narrow it further to the organisation's own: enrolments
    of the admin's organisations only; a Lead Professional application (a certification route)
    only for the organisation that backs it (its `organisation_id`)."""
    c = caller()
    if c.is_training_admin or (c.person_id is not None and c.person_id == person_id):
        return c
    if org_may and admins_person_through_membership(c, person_id):
        return c
    log_refusal("person", person_id)
    raise NotFound("No person with that id.")


def is_self_or_training_admin(c: Caller, person_id: str) -> bool:
    return c.is_training_admin or (c.person_id is not None and c.person_id == person_id)


def may_buy_package(organisation_id: str, practitioner_id: str, funding: str) -> Caller:
    """Who may buy a microproject package: admins of the organisation and training admins; a
    member may buy for themself. Who may choose each funding is its `chosen_by` (rules/funding.py):
    with `funding: self` the caller must BE the practitioner, with `funding: organisation` an admin
    of that organisation or a training admin (nobody is billed for what they did not choose). The
    practitioner must be an active member (checked by the service, 409)."""
    c = caller()
    is_self = c.person_id is not None and c.person_id == practitioner_id
    is_admin = c.administers(organisation_id)
    if not (c.is_training_admin or is_admin or (is_self and c.belongs_to(organisation_id))):
        log_refusal("organisation", organisation_id)
        raise NotFound("No organisation with that id.")
    _, who = funding_rules.PACKAGE_FUNDINGS[funding]
    if not funding_rules.may_choose(
        who,
        person=is_self,
        organisation_admin=is_admin,
        training_admin=c.is_training_admin,
    ):
        if funding_rules.PERSON in who:
            raise Forbidden(
                f"Only the practitioner themself may buy a package with funding: {funding} (they pay for it)."
            )
        raise Forbidden(f"Only an admin of the organisation buys what it pays for (funding: {funding}).")
    return c
