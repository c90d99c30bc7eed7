"""I Matter Q registration consultations: offered to a person with an online L1-2 account, ordered
(with an online course when they have none) and announced to cic-tracker."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, RuleViolation

from ..events import outgoing
from ..extensions import db
from ..models import Organisation, Person
from ..models.learning import LearningAccount
from ..models.reflective import QRegistration
from ..rules import reflective as rules
from ..rules.catalogue import COURSES_BY_CODE
from . import learning, orders
from .price_book import product


def _has_online_account(person_id: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LearningAccount)
            .where(LearningAccount.person_id == person_id)
        )
        > 0
    )


def _registered(person_id: str) -> QRegistration | None:
    return db.session.scalar(sa.select(QRegistration).where(QRegistration.person_id == person_id).limit(1))


def _consultation() -> dict:
    """The consultation as offered, priced from the price book in force (row 110)."""
    _, row = product(rules.Q_REGISTRATION["code"])
    out = {k: rules.Q_REGISTRATION[k] for k in ("code", "optional", "for", "note")}
    out.update(
        title=row.get("title") or rules.Q_REGISTRATION["title"],
        price=row["price"],
        currency="GBP",
        placeholder=bool(row.get("placeholder")),
        price_status="placeholder" if row.get("placeholder") else "published",
    )
    if row.get("placeholder"):
        out["placeholder_label"] = row.get("placeholder_label")
    return out


def offer(person: Person) -> dict:
    unmet = rules.registration_unmet(
        person.kind, _has_online_account(person.id), _registered(person.id) is not None
    )
    courses = [
        {
            "course_code": c,
            "title": COURSES_BY_CODE[c]["title"],
            "price": COURSES_BY_CODE[c]["price"],
            "currency": "GBP",
            "optional": True,
        }
        for c in rules.OPTIONAL_COURSES
    ]
    return {
        "person_id": person.id,
        "eligible": not unmet,
        "unmet": unmet,
        "consultation": _consultation(),
        "optional_courses": courses,
        "required": False,
    }


def order_registration(person: Person, data: dict, user_id: str) -> orders.Purchase:
    unmet = rules.registration_unmet(
        person.kind, _has_online_account(person.id), _registered(person.id) is not None
    )
    if unmet:
        raise RuleViolation(
            f"The I Matter Q registration consultation is offered to {rules.describe(unmet)}.", unmet=unmet
        )
    org_id = data.get("organisation_id")
    if org_id and db.session.get(Organisation, org_id) is None:
        raise InvalidInput("organisation_id", "No organisation with that id.", detail="Unknown organisation.")
    book_version, offer_row = product(rules.Q_REGISTRATION["code"])  # the price in force now (row 110)
    order = orders.create_order(
        organisation_id=None,
        person_id=person.id,
        created_by=user_id,
        funding="self",
        lines=[
            {
                "code": offer_row["code"],
                "description": offer_row["title"],
                "unit_price": offer_row["price"],
                "quantity": 1,
            }
        ],
        price_book_version=book_version,
    )
    reg = QRegistration(person_id=person.id, organisation_id=org_id, order_id=order.id, created_by=user_id)
    course = None
    if data.get("online_course"):
        # the optional course goes through the ordinary enrolment (its own order; affiliate share)
        course = learning.enrol(
            {
                "person_id": person.id,
                "course_code": data["online_course"],
                "funding": "self",
                "organisation_id": org_id,
            },
            user_id,
        )
        reg.enrolment_id = course.id
    db.session.add(reg)
    db.session.flush()
    outgoing.q_consultation_ordered(order.id, reg.id, person, user_id, org_id)
    return orders.Purchase(reg, order, online_course=course)


def registrations_of(person_id: str) -> list[QRegistration]:
    return list(
        db.session.scalars(
            sa.select(QRegistration)
            .where(QRegistration.person_id == person_id)
            .order_by(QRegistration.created_at.desc(), QRegistration.id)
        )
    )
