"""Enrolments: an online L1-2 account drawn from one source (CPD seat, package account,
bursary place, or self-funded), progress, completion, and the personal resource licence."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Person
from ..models.learning import Enrolment, LearningAccount
from ..models.packages import Package
from ..rules.catalogue import ACCOUNT_COURSES, COURSES_BY_CODE, L1_2_COURSES, RESOURCE_LICENCE
from ..rules.funding import ENROLMENT_FUNDINGS
from ..rules.learning import COURSE_PREREQUISITES, enrolment_unmet
from . import bursaries, licences, orders, policy, seats
from .certifying import certify_ready, member_org_ids
from .clock import now
from .packages import may_use_accounts

FUNDINGS = tuple(ENROLMENT_FUNDINGS)  # who may choose each: rules/funding.py


def get(enrolment_id: str) -> Enrolment:
    e = db.session.get(Enrolment, enrolment_id)
    if e is None:
        raise NotFound("No enrolment with that id.")
    return e


def _org_of(person_id: str, organisation_id: str | None, required: bool) -> str | None:
    orgs = member_org_ids(person_id)  # ACTIVE (accepted) memberships only
    if organisation_id:
        if organisation_id not in orgs:  # security review H3: a fund or seat of the person's own organisation
            raise RuleViolation(
                "The person is not an active member of that organisation.", unmet=["membership"]
            )
        return organisation_id
    if len(orgs) == 1:
        return orgs[0]
    if required:
        raise InvalidInput(
            "organisation_id",
            "Required: the person belongs to no or several organisations.",
            detail="Say which organisation's credit pays.",
        )
    return None


def _account(
    person_id: str, funding: str, org_id: str | None, package_id: str | None
) -> LearningAccount | None:
    return db.session.scalar(
        sa.select(LearningAccount).where(
            LearningAccount.person_id == person_id,
            LearningAccount.funding == funding,
            LearningAccount.organisation_id == org_id
            if org_id
            else LearningAccount.organisation_id.is_(None),
            LearningAccount.package_id == package_id if package_id else LearningAccount.package_id.is_(None),
        )
    )


def _package_account(person_id: str, package_id: str | None) -> tuple[Package, int | None]:
    """The package and the account slot to take (None when the person already has its account).
    The package row is locked (PostgreSQL) and each slot is unique (SQLite too): never more
    accounts than the package holds."""
    if not package_id:
        raise InvalidInput(
            "package_id", "Required when funding is package.", detail="Say which package's account to use."
        )
    p = db.session.scalar(sa.select(Package).where(Package.id == package_id).with_for_update())
    if p is None:
        raise InvalidInput("package_id", "No package with that id.", detail="Unknown package.")
    if p.cancelled_at is not None:
        raise RuleViolation(
            "The package was cancelled (its invoice was voided).", unmet=["package_cancelled"]
        )
    policy.enforce(p.organisation_id, "online_accounts")
    if not may_use_accounts(p, person_id):  # security review M2
        raise RuleViolation(
            "A package's online accounts are for its practitioner and the members its "
            "organisation's admin assigns.",
            unmet=["package_account_assignment"],
        )
    if _account(person_id, "package", p.organisation_id, p.id):
        return p, None
    slot = (
        db.session.scalar(
            sa.select(sa.func.max(LearningAccount.slot)).where(LearningAccount.package_id == p.id)
        )
        or 0
    ) + 1
    if slot > p.online_accounts:
        raise RuleViolation("No online L1-2 account left in this package.", unmet=["package_account"])
    return p, slot


def enrol(data: dict, user_id: str) -> orders.Purchase:
    person = db.session.get(Person, data["person_id"])
    if person is None:
        raise NotFound("No person with that id.")
    course = COURSES_BY_CODE.get(data["course_code"])
    if course is None:
        raise InvalidInput("course_code", "Not in the course catalogue.", detail="Unknown course.")
    funding = data["funding"]
    online = course["code"] in ACCOUNT_COURSES
    if funding in ("cpd_credit", "package") and not online:
        raise InvalidInput(
            "funding",
            f"{course['title']} is not an online L1-2 course.",
            detail="CPD credits and package accounts open online L1-2 courses only.",
        )
    if db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Enrolment)
        .where(
            Enrolment.person_id == person.id,
            Enrolment.course_code == course["code"],
            Enrolment.state != "cancelled",
        )
    ):
        raise RuleViolation("Already enrolled on this course.", unmet=["already_enrolled"])
    if course["code"] in COURSE_PREREQUISITES:
        done = set(
            db.session.scalars(
                sa.select(Enrolment.course_code).where(
                    Enrolment.person_id == person.id, Enrolment.state == "completed"
                )
            )
        )
        unmet = enrolment_unmet(course["code"], done)
        if unmet:
            raise RuleViolation(
                f"{course['title']} needs {', '.join(unmet)} completed first "
                "(Foundation A part 1 before Foundation B).",
                unmet=unmet,
            )
    e = Enrolment(
        person_id=person.id,
        course_code=course["code"],
        level=course["level"],
        funding=funding,
        price=course["price"],
        progress=0,
        state="active",
    )
    order, new_account = None, None
    if funding == "cpd_credit":
        e.organisation_id = _org_of(person.id, data.get("organisation_id"), required=True)
        seats.consume_seat(e.organisation_id, person.id)  # one seat per person and organisation
        if not _account(person.id, funding, e.organisation_id, None):
            new_account = LearningAccount(
                person_id=person.id, funding=funding, organisation_id=e.organisation_id
            )
    elif funding == "package":
        pkg, slot = _package_account(person.id, data.get("package_id"))
        e.organisation_id, e.package_id = pkg.organisation_id, pkg.id
        if slot is not None:
            new_account = LearningAccount(
                person_id=person.id,
                funding=funding,
                organisation_id=pkg.organisation_id,
                package_id=pkg.id,
                slot=slot,
            )
    elif funding == "bursary":
        e.organisation_id = _org_of(person.id, data.get("organisation_id"), required=True)
        licences.require_active_licence(
            e.organisation_id, "starter"
        )  # bursary routes need the Starter (row 4)
        policy.enforce(e.organisation_id, "bursary")  # primary care holds no bursary
        place = bursaries.spend_place(e.organisation_id, course["price"], person.id, user_id)
        e.bursary_place_id = place.id
    else:
        e.organisation_id = _org_of(person.id, data.get("organisation_id"), required=False)
        if course["price"] > 0:
            order = orders.create_order(
                organisation_id=None,
                person_id=person.id,
                created_by=user_id,
                funding="self",
                lines=[
                    {
                        "code": course["code"],
                        "description": course["title"],
                        "unit_price": course["price"],
                        "quantity": 1,
                    }
                ],
            )
            e.order_id = order.id
    db.session.add(e)
    if new_account is not None:
        db.session.add(new_account)
    db.session.flush()
    if funding == "bursary":
        place.enrolment_id = e.id
    # the affiliate share of a self-funded online course fee is credited when its invoice is PAID
    # (services/voiding.py on_paid), never here
    return orders.Purchase(e, order)


def set_progress(e: Enrolment, percent: int) -> Enrolment:
    if e.state == "cancelled":
        raise RuleViolation(
            "The enrolment was cancelled (its invoice was voided).", unmet=["enrolment_active"]
        )
    if e.state == "completed":
        raise RuleViolation("The course is already completed.", unmet=["enrolment_active"])
    e.progress = percent
    return e


def complete(e: Enrolment) -> Enrolment:
    if e.state == "cancelled":
        raise RuleViolation(
            "The enrolment was cancelled (its invoice was voided).", unmet=["enrolment_active"]
        )
    if e.state != "completed":
        e.state, e.progress, e.completed_at = "completed", 100, now()
        db.session.flush()
        certify_ready(e.person_id)
    return e


def of_person(
    person_id: str, page: int, per_page: int, organisation_ids: list[str] | None = None
) -> tuple[list[Enrolment], int]:
    """All the person's enrolments, or (organisation_ids given) only those of these organisations."""
    q = sa.select(Enrolment).where(Enrolment.person_id == person_id)
    if organisation_ids is not None:
        q = q.where(Enrolment.organisation_id.in_(organisation_ids))
    return rows_page(db.session, q.order_by(Enrolment.created_at, Enrolment.id), page, per_page)


def resource_licence(person_id: str) -> dict:
    """Anyone who has accessed L1 or L2 holds a personal resource licence (seed 001 i)."""
    courses = sorted(
        db.session.scalars(
            sa.select(Enrolment.course_code).where(
                Enrolment.person_id == person_id,
                Enrolment.course_code.in_(L1_2_COURSES),
                Enrolment.state != "cancelled",
            )
        )
    )
    return {
        "person_id": person_id,
        "held": bool(courses),
        "basis": courses,
        "title": "Personal resource licence",
        "allows": RESOURCE_LICENCE["allows"] if courses else [],
        "does_not_allow": RESOURCE_LICENCE["does_not_allow"],
        # course notes and A4 posters are not sold here, so the promise is not made (domain row 52;
        # README "Assumptions"): the licence is held through L1-2 access only
        "how_to_hold": "Access Level 1 Foundation or Level 2 Intermediate learning.",
        "note": "Licensed to train or formally support others only after Lead Professional application "
        "and certification.",
    }
