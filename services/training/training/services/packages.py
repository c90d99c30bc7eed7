"""Microproject packages: sold for a practitioner under the organisation's Enhanced Practice
Licence, paid by the organisation, the practitioner or a Microproject Development Fund award.
The sale emits `training.package.purchased`; cic-tracker reports back counts only."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.contract import packages as contract
from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..authz import is_active_member
from ..events import outgoing
from ..extensions import db
from ..models import Organisation, Person
from ..models.base import new_id
from ..models.certification import Certification, PathwayItem
from ..models.learning import LearningAccount
from ..models.packages import FundAward, Package, PackageAccountGrant
from ..models.practitioner_licences import PractitionerLicence
from ..rules.funding import PACKAGE_FUNDINGS
from . import licences, orders, policy, practitioner_licences, price_book
from .certifying import certify_ready

FUNDINGS = tuple(PACKAGE_FUNDINGS)  # labelled, with who may choose each, in rules/funding.py


def get_org(organisation_id: str) -> Organisation:
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No organisation with that id.")
    return org


# The statements of a purchase are built once and run with bound parameters (decision 0037:
# building one and its cache key cost more than running it)
_ACCOUNTS_USED = (
    sa.select(sa.func.count())
    .select_from(LearningAccount)
    .where(LearningAccount.package_id == sa.bindparam("package_id"))
)
_ON_PATHWAY = sa.select(
    sa.or_(
        sa.exists().where(
            Certification.person_id == sa.bindparam("person_id"), Certification.status == "current"
        ),
        sa.exists().where(
            PathwayItem.person_id == sa.bindparam("person_id"),
            PathwayItem.state.in_(("booked", "completed")),
        ),
        sa.exists().where(
            PractitionerLicence.person_id == sa.bindparam("person_id"), PractitionerLicence.state == "active"
        ),
    )
)
_HAS_OF_TYPE = sa.select(
    sa.exists().where(
        Package.practitioner_id == sa.bindparam("person_id"),
        Package.type == sa.bindparam("type"),
        Package.cancelled_at.is_(None),
    )
)


def may_use_accounts(p: Package, person_id: str) -> bool:
    """The package's practitioner, or a member its organisation admin assigned an account to."""
    if p.practitioner_id == person_id:
        return True
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PackageAccountGrant)
            .where(PackageAccountGrant.package_id == p.id, PackageAccountGrant.person_id == person_id)
        )
    )


def grant_account(p: Package, person_id: str, user_id: str) -> PackageAccountGrant:
    if db.session.get(Person, person_id) is None:
        raise InvalidInput("person_id", "No person with that id.", detail="Unknown person.")
    if not is_active_member(p.organisation_id, person_id):
        raise RuleViolation(
            "A package's accounts are for active (accepted) members of its organisation.",
            unmet=["membership"],
        )
    if may_use_accounts(p, person_id):
        raise RuleViolation(
            "That person may already use this package's accounts.", unmet=["package_account_assigned"]
        )
    g = PackageAccountGrant(package_id=p.id, person_id=person_id, granted_by=user_id)
    db.session.add(g)
    db.session.flush()
    return g


def grants_of(package_id: str) -> list[PackageAccountGrant]:
    return list(
        db.session.scalars(
            sa.select(PackageAccountGrant)
            .where(PackageAccountGrant.package_id == package_id)
            .order_by(PackageAccountGrant.created_at, PackageAccountGrant.id)
        )
    )


def accounts_used(package_id: str) -> int:
    return db.session.scalar(_ACCOUNTS_USED, {"package_id": package_id}) or 0


def _usable_award(data: dict, org_id: str) -> FundAward:
    award_id = data.get("fund_award_id")
    if not award_id:
        raise InvalidInput(
            "fund_award_id",
            "Required when funding is fund_award.",
            detail="A fund award pays only with its id.",
        )
    award = db.session.get(FundAward, award_id)
    if award is None or award.state != "available":
        raise RuleViolation(
            "No unused Microproject Development Fund award with that id (yet).", unmet=["fund_award"]
        )
    if (award.practitioner_id, award.organisation_id, award.package_type) != (
        data["practitioner_id"],
        org_id,
        data["type"],
    ):
        raise RuleViolation(
            "The fund award was made for another practitioner, organisation or package type.",
            unmet=["fund_award"],
        )
    return award


def on_practitioner_pathway(person_id: str) -> bool:
    """ "Used by trained practitioners to support 1-3 cases" (seed 000; domain row 42): a current
    certification, a practitioner training item booked or completed on a pathway, or an active
    Microproject Practitioner Licence. One query."""
    return bool(db.session.scalar(_ON_PATHWAY, {"person_id": person_id}))


def purchase(organisation_id: str, data: dict, user_id: str) -> orders.Purchase:
    org = get_org(organisation_id)
    # one read of the price book in force: the package's contents, its price and the order's
    # price-book version all come from the same version
    book_version, book = price_book.in_force()  # read only: the type's figures are copied below
    # the schema checks the type's form (1-4); whether this version of the price book sells it is data
    ptype = next((t for t in book["package_types"] if t["type"] == data["type"]), None)
    if ptype is None:
        raise InvalidInput("type", "Not a package type of the price book.", detail="Unknown package type.")
    person = db.session.get(Person, data["practitioner_id"])
    if person is None:
        raise InvalidInput("practitioner_id", "No person with that id.", detail="Unknown practitioner.")
    if not is_active_member(org.id, person.id):
        raise RuleViolation(
            "A package is bought for an active (accepted) member of the organisation.", unmet=["membership"]
        )
    if not on_practitioner_pathway(person.id):
        raise RuleViolation(
            "Packages are used by trained practitioners: the person needs a practitioner "
            "certification, booked or completed practitioner training, or an active "
            "Microproject Practitioner Licence first.",
            unmet=["practitioner_pathway"],
        )
    policy.enforce(org, "microproject_packages")
    if ptype["online_accounts"]:
        policy.enforce(org, "online_accounts")  # primary care: Type 1 (Tracker only) packages only
    if ptype["tracker_uses"]:
        policy.enforce(org, "tracker_accounts")
    licences.require_active_licence(org.id, contract.REQUIRED_LICENCE)
    # the practitioner's current licence, read once: not paused, and the one the package runs under
    current = practitioner_licences.current_of(person.id)
    practitioner_licences.require_not_paused(current)
    award = _usable_award(data, org.id) if data["funding"] == "fund_award" else None
    # a role's `package_type_N` is met by the first package of the type: a later one changes no
    # requirement's status (practicum and its oversight follow the practicum's completion, not a
    # purchase), so only the first can make a role ready (one EXISTS instead of certify_ready's reads)
    first_of_type = not db.session.scalar(_HAS_OF_TYPE, {"person_id": person.id, "type": ptype["type"]})
    line = {
        "code": f"package_type_{ptype['type']}",
        "quantity": 1,
        "unit_price": ptype["price"],
        "description": f"Microproject package Type {ptype['type']} ({ptype['title']}) for {person.name}",
    }
    order = orders.create_order(
        organisation_id=None if data["funding"] == "self" else org.id,
        person_id=person.id,
        created_by=user_id,
        lines=[line],
        funding=data["funding"],
        price_book_version=book_version,
    )
    p = Package(
        id=new_id(),  # known now: the event needs no flush of its own (the commit writes the row)
        organisation_id=org.id,
        practitioner_id=person.id,
        type=ptype["type"],
        price=ptype["price"],
        funding=data["funding"],
        fund_award_id=award.id if award else None,
        order_id=order.id,
        tracker_uses=ptype["tracker_uses"],
        online_accounts=ptype["online_accounts"],
        credits_left=ptype["tracker_uses"],
        created_by=user_id,
    )
    p.practitioner_licence_id = practitioner_licences.licence_for_new_package(current)  # (row 102)
    db.session.add(p)
    outgoing.package_purchased(p)
    if award is not None:
        award.state, award.package_id = "used", p.id
        outgoing.fund_award_redeemed(award)
    if first_of_type:  # buying the package may complete a role (package_type_N is met once bought)
        db.session.flush()  # certify_ready reads the person's packages: this one among them
        certify_ready(person.id)
    # no learning account can use a package before it exists: the answer's count is known (0)
    return orders.Purchase(p, order, online_accounts_used=0)


def of_organisation(organisation_id: str, page: int, per_page: int) -> tuple[list[Package], int]:
    q = sa.select(Package).where(Package.organisation_id == organisation_id)
    return rows_page(db.session, q.order_by(Package.created_at.desc(), Package.id), page, per_page)
