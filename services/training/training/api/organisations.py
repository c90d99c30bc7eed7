"""Organisations, their licences, seats, members and orders. Views validate, call one
service function, commit, serialise."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validates_schema
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles
from imatter_shared.web.errors import NotFound
from imatter_shared.web.paging import PageArgs, page, paged

from ..authz import caller, readable_organisation, require_org_access, require_org_admin, require_verified
from ..extensions import db
from ..rules import licences as licence_rules
from ..rules import policy as policy_table
from ..rules.pricing import MAX_SEATS_PER_PURCHASE
from ..services import licences, memberships, orders, price_book, seat_transfers, seats
from ..services import organisations as orgs
from .idempotency import idempotent
from .schemas.base import With
from .schemas.memberships import MemberOut, MemberPage
from .schemas.organisations import (
    AssignmentMadeOut,
    LicenceOut,
    LicencePage,
    OrderPage,
    OrganisationDetailOut,
    OrganisationPage,
    SeatsOut,
)
from .schemas.seats import SeatPurchaseOut, SeatQuoteOut, TransferOut, TransferPage

blp = Blueprint(
    "organisations",
    __name__,
    url_prefix="/api/v1/organisations",
    description="Organisations, organisational licences, seats, members and orders",
)


class OrganisationIn(Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    kind = fields.String(required=True, validate=v.OneOf(policy_table.KINDS))
    size_band = fields.String(required=True, validate=v.Length(min=1, max=40))
    link_contact_email = fields.Email(load_default=None, allow_none=True)
    senior_leadership_commitment = fields.Boolean(load_default=False)


class OrganisationPatch(Schema):
    name = fields.String(validate=v.Length(min=1, max=200))
    size_band = fields.String(validate=v.Length(min=1, max=40))
    link_contact_email = fields.Email()
    senior_leadership_commitment = fields.Boolean()


class LicenceIn(Schema):
    type = fields.String(required=True, validate=v.OneOf(licence_rules.TYPES))
    # the Starter's organisational agreement to participate (seed 000; text in the price book's
    # licence terms): true records the caller's explicit acceptance; absent, the buying admin's
    # request is taken as acceptance (recorded as "implicit"); false refuses the purchase (409)
    agreement_accepted = fields.Boolean(load_default=None, allow_none=True)


class SeatCount(Schema):
    count = fields.Integer(required=True, strict=True, validate=v.Range(min=1, max=MAX_SEATS_PER_PURCHASE))


class QuoteArgs(Schema):
    count = fields.Integer(required=True, validate=v.Range(min=1, max=MAX_SEATS_PER_PURCHASE))


class AssignmentIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))


class TransferIn(Schema):
    to_organisation_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    count = fields.Integer(required=True, strict=True, validate=v.Range(min=1, max=MAX_SEATS_PER_PURCHASE))


class MemberIn(Schema):
    """Exactly one of `person_id` and `email`; `role` from the closed list."""

    person_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))
    email = fields.Email(load_default=None, validate=v.Length(max=254))
    role = fields.String(load_default="staff", validate=v.OneOf(memberships.MEMBER_ROLES))

    @validates_schema
    def _one_of(self, data, **_):
        if data.get("person_id") and data.get("email"):
            raise ValidationError("Give person_id or email, not both.", field_name="email")
        if not data.get("person_id") and not data.get("email"):
            raise ValidationError(
                "Give person_id (a person) or email (an invitation to that address).", field_name="person_id"
            )


class MemberListArgs(PageArgs):
    include_ended = fields.Boolean(load_default=False)


@blp.route("")
class Organisations(MethodView):
    decorators = [require_auth]  # 401 before any input is looked at

    @blp.arguments(OrganisationIn)
    @blp.response(201, OrganisationDetailOut)
    def post(self, data):
        """Create an organisation; the signed-in user becomes its admin (link contact role).
        Verified accounts only (403 otherwise)."""
        org = orgs.create(data, require_verified().principal)
        held, counts = orgs.facts_of_created(org)  # in this transaction: nothing read after it
        orgs.commit_keeping_rows()
        return With(org, held=held, counts=counts)

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, OrganisationPage)
    def get(self, args):
        """The caller's organisations (every organisation for a training admin)."""
        rows, total = orgs.visible(caller(), args["page"], args["per_page"])
        return page(rows, total, args)


_READ_ALSO: tuple = ()


def _read_also() -> tuple:
    """What the organisation read reads with the organisation: the price-book stamp and the
    licences (their table joined: one row per licence). The same objects every time, so the
    statement is built once (authz._readable_statement)."""
    global _READ_ALSO
    if not _READ_ALSO:
        _READ_ALSO = price_book.stamp_columns() + licences.joined_columns()
    return _READ_ALSO


@blp.route("/<organisation_id>")
class OneOrganisation(MethodView):
    decorators = [require_auth]  # 401 before any input is looked at

    @blp.response(200, OrganisationDetailOut)
    def get(self, organisation_id):
        """With the derived `stage` (1-5), `next_steps`, `licences` and `seats`."""
        # the row, the access check, the price-book version in force and the licences (one row
        # each): one statement
        org, rows = readable_organisation(organisation_id, also=_read_also())
        if rows:
            price_book.prime_stamp(rows[0])
            if org is rows[0]:  # the organisation is that statement's row: its licences came too
                return With(org, held_rows=licences.rows_from_joined(rows))
        return org

    @blp.arguments(OrganisationPatch)
    @blp.response(200, OrganisationDetailOut)
    def patch(self, data, organisation_id):
        """Change name, size band, link contact or senior leadership commitment (admin)."""
        require_org_admin(organisation_id)
        org = orgs.update(orgs.get(organisation_id), data)
        db.session.commit()
        return org


@blp.route("/<organisation_id>/licences")
class Licences(MethodView):
    decorators = [require_auth]  # 401 before any input is looked at

    @idempotent(blp)
    @blp.arguments(LicenceIn)
    @blp.response(201, LicenceOut)
    def post(self, data, organisation_id):
        """Take out a licence for one annual term (409 with `unmet` when a rule refuses).

        The Starter includes the organisational agreement to participate (its text is
        `agreement` in the price book's licence terms): the licence records who accepted it and
        when (`agreement_accepted_by`, `agreement_accepted_at`, `agreement_acceptance`).
        `agreement_accepted: true` records an explicit acceptance; without the field the buying
        admin's request counts as acceptance (`implicit`); `false` is refused (409
        `organisation_agreement`)."""
        c = require_org_admin(organisation_id)
        lic, _ = licences.purchase(
            orgs.get(organisation_id),
            data["type"],
            c.user_id,
            agreement_accepted=data.get("agreement_accepted"),
            user_name=c.principal.name or (c.person.name if c.person else None),
        )
        return lic  # committed by @idempotent

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, LicencePage)
    def get(self, args, organisation_id):
        require_org_access(organisation_id)
        orgs.get(organisation_id)
        held = licences.Held(organisation_id)  # read once for every licence's suspension check
        return paged([With(lic, held=held) for lic in held.rows], args)


def _licence(organisation_id, licence_id):
    lic = licences.by_id(licence_id)
    if lic is None or lic.organisation_id != organisation_id:
        raise NotFound("No licence with that id in this organisation.")
    return lic


@blp.route("/<organisation_id>/licences/<licence_id>")
@require_auth
@blp.response(200, LicenceOut)
def one_licence(organisation_id, licence_id):
    require_org_access(organisation_id)
    return _licence(organisation_id, licence_id)


@blp.route("/<organisation_id>/licences/<licence_id>/renew", methods=["POST"])
@require_auth
@blp.response(200, LicenceOut)
def renew_licence(organisation_id, licence_id):
    """One more annual term from the later of now and the current end."""
    c = require_org_admin(organisation_id)
    lic = licences.renew(orgs.get(organisation_id), _licence(organisation_id, licence_id), c.user_id)
    db.session.commit()
    return lic


@blp.route("/<organisation_id>/licences/<licence_id>/end", methods=["POST"])
@require_roles("training_admin")
@blp.response(200, LicenceOut)
def end_licence(organisation_id, licence_id):
    """End a licence's term now (training admin): it expires, and what depends on it is
    suspended until it is renewed. Nothing is deleted."""
    lic = licences.end_now(_licence(organisation_id, licence_id))
    db.session.commit()
    return lic


@blp.route("/<organisation_id>/seat-quote")
@require_auth
@blp.arguments(QuoteArgs, location="query")
@blp.response(200, SeatQuoteOut)
def seat_quote(args, organisation_id):
    """What a purchase of `count` seats would cost now, without buying."""
    require_org_admin(organisation_id)
    return seats.quote(orgs.get(organisation_id), args["count"])


@blp.route("/<organisation_id>/seat-purchases", methods=["POST"])
@require_auth
@idempotent(blp)
@blp.arguments(SeatCount)
@blp.response(201, SeatPurchaseOut)
def seat_purchase(data, organisation_id):
    """Buy extra online L1-2 accounts in one bundle (needs an active CPD licence)."""
    c = require_org_admin(organisation_id)
    return seats.purchase(orgs.get(organisation_id), data["count"], c.user_id)  # @idempotent commits


@blp.route("/<organisation_id>/seats")
@require_auth
@blp.response(200, SeatsOut)
def seat_summary(organisation_id):
    require_org_access(organisation_id)
    orgs.get(organisation_id)
    return {**seats.summary(organisation_id), "assignments": seats.assignments(organisation_id)}


@blp.route("/<organisation_id>/seats/assignments", methods=["POST"])
@require_auth
@blp.arguments(AssignmentIn)
@blp.response(201, AssignmentMadeOut)
def seat_assign(data, organisation_id):
    """Give a member an online L1-2 account from the organisation's seats."""
    require_org_admin(organisation_id)
    orgs.get(organisation_id)
    a = seats.consume_seat(organisation_id, data["person_id"])
    db.session.commit()
    return a


@blp.route("/<organisation_id>/seats/transfers", methods=["POST"])
@require_auth
@blp.arguments(TransferIn)
@blp.response(201, TransferOut)
def seat_transfer(data, organisation_id):
    """Request a transfer of unassigned seats to another organisation (the organisation's admin).

    201 `{id, state: "requested", ...}`: nothing moves until a training admin approves it
    (POST /api/v1/seat-transfers/{id}/approve) - "may not be transferred outside the organisation
    without explicit consent" is I Matter Training's consent. The requested seats are held while
    the request is open; 409 `seats_available` when fewer are free (checked under a row lock)."""
    c = require_org_admin(organisation_id)
    t = seat_transfers.request_transfer(
        orgs.get(organisation_id), data["to_organisation_id"], data["count"], c.user_id
    )
    db.session.commit()
    return t


@blp.route("/<organisation_id>/seats/transfers")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, TransferPage)
def seat_transfers_of(args, organisation_id):
    """The organisation's transfer requests, sent and received, newest first (its admins)."""
    require_org_admin(organisation_id)
    orgs.get(organisation_id)
    rows, total = seat_transfers.list_transfers(None, {organisation_id}, args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/<organisation_id>/members")
class Members(MethodView):
    decorators = [require_auth]  # 401 before any input is looked at

    @blp.arguments(MemberIn)
    @blp.response(201, MemberOut)
    def post(self, data, organisation_id):
        """Invite a person (`person_id`) or an email address (`email`) with a `role` (admin).

        201 `{id, organisation_id, person_id?, email?, role, state}`: `state` is `invited` (the
        person accepts at POST /api/v1/memberships/{id}/accept) unless the admin adds their own
        person (`active`). An invitation gives the organisation nothing. 409 `already_member` /
        `already_invited`; 429 past the daily invitation limit."""
        c = require_org_admin(organisation_id)
        m = memberships.add_member(
            orgs.get(organisation_id),
            data["role"],
            c,
            person_id=data.get("person_id"),
            email=data.get("email"),
        )
        db.session.commit()
        return m

    @blp.arguments(MemberListArgs, location="query")
    @blp.response(200, MemberPage)
    def get(self, args, organisation_id):
        """Active members; the organisation's admins also see open invitations (each with `state`),
        and with `include_ended` every membership."""
        c = require_org_access(organisation_id)
        is_admin = c.is_training_admin or organisation_id in c.admin_org_ids
        rows, total = memberships.members(
            orgs.get(organisation_id),
            args["page"],
            args["per_page"],
            args["include_ended"] and is_admin,
            include_invited=is_admin,
        )
        # the invited email is for the organisation's admins only
        return page(MemberOut(exclude=() if is_admin else ("email",)).dump(rows, many=True), total, args)


def _end(organisation_id, member_id):
    require_org_admin(organisation_id)
    org = orgs.get(organisation_id)
    m = memberships.end_member(org, memberships.find_membership(org, member_id))
    db.session.commit()
    return m


@blp.route("/<organisation_id>/members/<member_id>", methods=["DELETE"])
@require_auth
@blp.response(200, MemberOut)
def end_member_delete(organisation_id, member_id):
    """The member leaves (membership id or person id); their seat is released."""
    return _end(organisation_id, member_id)


@blp.route("/<organisation_id>/members/<member_id>/end", methods=["POST"])
@require_auth
@blp.response(200, MemberOut)
def end_member(organisation_id, member_id):
    """The member leaves (membership id or person id); their seat is released."""
    return _end(organisation_id, member_id)


@blp.route("/<organisation_id>/orders")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, OrderPage)
def organisation_orders(args, organisation_id):
    require_org_admin(organisation_id)
    orgs.get(organisation_id)
    rows, total = orders.orders_of_organisation(organisation_id, args["page"], args["per_page"])
    return page(rows, total, args)
