"""Pathways, bookings, item completion and automatic certification (people side).

The rules are in rules/pathway.py; this module gathers a person's facts from the database,
records bookings through orders, and certifies every role whose requirements are all met,
emitting `training.practitioner.certified` through the outbox in the same commit.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from imatter_shared.messaging import outbox
from imatter_shared.web.errors import ApiError, NotFound, RuleViolation

from ..extensions import db
from ..models import Membership, Organisation, OutboxMessage, Person
from ..models.certification import Certification, PathwayItem
from ..models.learning import Enrolment
from ..models.packages import Package
from ..rules import pathway as rules
from ..rules.catalogue import COURSES_BY_CODE, L1_2_COURSES
from ..rules.roles import REGISTERED_SETTING_KINDS, REQUIREMENTS, ROLES_BY_CODE
from ._util import iso, now


def get_person(person_id: str) -> Person:
    p = db.session.get(Person, person_id)
    if p is None:
        raise NotFound("No person with that id.")
    return p


def require_role(role: str) -> dict:
    if role not in ROLES_BY_CODE:
        raise NotFound(f"No practitioner role {role!r}; roles are {', '.join(ROLES_BY_CODE)}.")
    return ROLES_BY_CODE[role]


def member_org_ids(person_id: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Membership.organisation_id)
            .where(Membership.person_id == person_id, Membership.status == "active")
            .order_by(Membership.created_at)
        )
    )


# the training item that puts someone "in training" for an overseer role
OVERSEER_TRAINING_ITEMS = {"lead": "lead_training", "lead_plus": "lead_plus_training"}


def _oversight(person_id: str, org_ids: list[str], overseer_roles: tuple[str, ...]) -> str:
    """Organisational oversight (domain row 29, DOMAIN.md "Rulings"): met when someone else who is
    an ACTIVE (accepted) member of one of the person's organisations is certified in an overseer
    role; in_progress when such a member has a booked or completed Lead / Lead Plus training item;
    missing otherwise. An invitation counts for nothing, and holding a package is not training."""
    if not org_ids:
        return rules.MISSING
    members = sa.select(Membership.person_id).where(
        Membership.organisation_id.in_(org_ids),
        Membership.status == "active",
        Membership.person_id != person_id,
    )
    certified = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Certification)
        .where(
            Certification.person_id.in_(members),
            Certification.role.in_(overseer_roles),
            Certification.status == "current",
        )
    )
    if certified:
        return rules.MET
    items = [OVERSEER_TRAINING_ITEMS[r] for r in overseer_roles if r in OVERSEER_TRAINING_ITEMS]
    training = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PathwayItem)
        .where(
            PathwayItem.person_id.in_(members), PathwayItem.item.in_(items), PathwayItem.state != "cancelled"
        )
    )
    return rules.IN_PROGRESS if training else rules.MISSING


def facts_of(person_id: str) -> rules.Facts:
    f = rules.Facts()
    items: dict[str, dict] = defaultdict(lambda: {"booked": 0, "completed": 0})
    for it in db.session.scalars(
        sa.select(PathwayItem).where(PathwayItem.person_id == person_id, PathwayItem.state != "cancelled")
    ):
        items[it.item]["completed" if it.state == "completed" else "booked"] += it.quantity
    f.items = dict(items)
    for e in db.session.scalars(
        sa.select(Enrolment).where(
            Enrolment.person_id == person_id,
            Enrolment.course_code.in_(L1_2_COURSES),
            Enrolment.state != "cancelled",
        )
    ):
        f.l1_2_enrolled.add(e.course_code)
        if e.state == "completed":
            f.l1_2_completed.add(e.course_code)
    f.certified = set(
        db.session.scalars(
            sa.select(Certification.role).where(
                Certification.person_id == person_id, Certification.status == "current"
            )
        )
    )
    packages: dict[int, dict] = defaultdict(lambda: {"bought": 0, "practicum_completed": 0})
    for p in db.session.scalars(
        sa.select(Package).where(Package.practitioner_id == person_id, Package.cancelled_at.is_(None))
    ):
        packages[p.type]["bought"] += 1
        if p.practicum_state == "completed":
            packages[p.type]["practicum_completed"] += 1
    f.packages = dict(packages)
    orgs = member_org_ids(person_id)
    f.oversight = {
        code: _oversight(person_id, orgs, req["overseer_roles"])
        for code, req in REQUIREMENTS.items()
        if req["kind"] == "oversight" and code not in rules.PRACTICUM_OVERSIGHT
    }
    f.registered_setting = bool(orgs) and bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.id.in_(orgs), Organisation.kind.in_(REGISTERED_SETTING_KINDS))
        )
    )
    return f


def pathway(person_id: str, role: str) -> dict:
    require_role(role)
    result = rules.evaluate(role, facts_of(person_id))
    result["person_id"] = person_id
    return result


# ---- bookings ------------------------------------------------------------------------------


def item_json(it: PathwayItem) -> dict:
    return {
        "id": it.id,
        "person_id": it.person_id,
        "item": it.item,
        "role": it.role,
        "state": it.state,
        "quantity": it.quantity,
        "price": it.price,
        "currency": "GBP",
        "organisation_id": it.organisation_id,
        "order_id": it.order_id,
        "created_at": iso(it.created_at),
        "completed_at": iso(it.completed_at),
    }


def _paying_org(person_id: str, organisation_id: str | None, funding: str | None) -> str | None:
    """The organisation paying (funding=organisation), or None when the person pays."""
    funding = funding or ("organisation" if organisation_id else "self")
    if funding == "self":
        return None
    if organisation_id is None:
        orgs = member_org_ids(person_id)
        if len(orgs) != 1:
            raise ApiError(
                "Say which organisation pays.",
                400,
                errors={"organisation_id": ["Required when the organisation pays."]},
            )
        organisation_id = orgs[0]
    if organisation_id not in member_org_ids(person_id):
        raise RuleViolation("The organisation pays only for its own members.", unmet=["membership"])
    from . import policy

    policy.enforce(organisation_id, "learning_pathways")
    policy.enforce(organisation_id, "paid_learning")
    return organisation_id


def book(person_id: str, role: str, data: dict, user_id: str) -> dict:
    """Book a requirement towards `role`; the order and invoice are created with it."""
    require_role(role)
    item = data["item"]
    if item not in REQUIREMENTS:
        raise ApiError("Unknown requirement code.", 400, errors={"item": [f"Unknown requirement {item!r}."]})
    # one booking of a person at a time (PostgreSQL row lock): the facts below are then current;
    # the partial unique index on pathway_items holds it on SQLite (all but consolidation)
    db.session.execute(sa.select(Person.id).where(Person.id == person_id).with_for_update())
    try:
        booking = rules.check_booking(role, item, facts_of(person_id), data.get("quantity"))
    except rules.BookingRefused as exc:
        if exc.field_error:
            field = "quantity" if exc.detail.startswith("quantity") else "item"
            raise ApiError(exc.detail, 400, errors={field: [exc.detail]}) from None
        raise RuleViolation(exc.detail, unmet=exc.unmet) from None
    if booking["kind"] == "package":
        from . import packages

        org_id = data.get("organisation_id") or _single_org(person_id)
        pkg = packages.purchase(
            org_id,
            {
                "type": REQUIREMENTS[item]["package_type"],
                "practitioner_id": person_id,
                "funding": data.get("funding") or "organisation",
                "fund_award_id": data.get("fund_award_id"),
            },
            user_id,
        )
        return {
            "id": pkg["id"],
            "item": item,
            "role": role,
            "state": "booked",
            "price": pkg["price"],
            "currency": "GBP",
            "quantity": 1,
            "package": pkg,
            "order_id": pkg["order_id"],
            "order": pkg.get("order"),
        }
    from . import orders

    org_id = _paying_org(person_id, data.get("organisation_id"), data.get("funding"))
    title = COURSES_BY_CODE[item]["title"]
    order = orders.create_order(
        organisation_id=org_id,
        person_id=person_id,
        created_by=user_id,
        funding="organisation" if org_id else "self",
        lines=[
            {
                "code": item,
                "description": f"{title} ({ROLES_BY_CODE[role]['title']})",
                "unit_price": booking["unit_price"],
                "quantity": booking["quantity"],
            }
        ],
    )
    it = PathwayItem(
        person_id=person_id,
        item=item,
        role=role,
        organisation_id=org_id,
        quantity=booking["quantity"],
        price=order.total,
        state="booked",
        order_id=order.id,
        booked_by=user_id,
    )
    db.session.add(it)
    db.session.flush()
    out = item_json(it)
    out["order"] = orders.order_json(order)
    return out


def _single_org(person_id: str) -> str:
    orgs = member_org_ids(person_id)
    if len(orgs) != 1:
        raise ApiError(
            "Say which organisation the package is for.",
            400,
            errors={"organisation_id": ["Required: a package belongs to an organisation."]},
        )
    return orgs[0]


def complete_item(item_id: str, user_id: str) -> dict:
    it = db.session.get(PathwayItem, item_id)
    if it is None:
        raise NotFound("No pathway item with that id.")
    if it.state == "cancelled":
        raise RuleViolation(
            "The pathway item was cancelled (its invoice was voided).", unmet=["pathway_item_booked"]
        )
    if it.state != "completed":
        it.state, it.completed_at, it.completed_by = "completed", now(), user_id
        db.session.flush()
        from ..notifications import pathway_item_completed  # issue 12: email, same commit

        pathway_item_completed(it)
        certify_ready(it.person_id)
    return item_json(it)


# ---- certification ---------------------------------------------------------------------------


def certification_json(c: Certification) -> dict:
    return {
        "id": c.id,
        "person_id": c.person_id,
        "role": c.role,
        "title": ROLES_BY_CODE[c.role]["title"],
        "organisation_id": c.organisation_id,
        "status": c.status,
        "certified_at": iso(c.certified_at),
        "basis": c.basis or "pathway",
        "reason": c.reason,
    }


def recognise(person_id: str, role: str, reason: str, user_id: str) -> Certification:
    """A certification a training admin records (basis `recognised`), not earned on a pathway here."""
    if db.session.scalar(
        sa.select(Certification.id).where(Certification.person_id == person_id, Certification.role == role)
    ):
        raise RuleViolation("This person already holds that certification.", unmet=["already_certified"])
    c = Certification(
        person_id=person_id,
        role=role,
        organisation_id=None,
        status="current",
        certified_at=now(),
        basis="recognised",
        reason=reason.strip(),
        recorded_by=user_id,
    )
    db.session.add(c)
    db.session.flush()
    outbox.add(
        db.session,
        OutboxMessage,
        "training.practitioner.certified",
        {"person_id": person_id, "role": role, "organisation_id": None, "certified_at": iso(c.certified_at)},
        producer="training",
    )
    # a recognised Lead or Lead Plus who is already an accepted member gives their organisations'
    # Child practitioners the Lead oversight now, as when a certified Lead accepts (else nothing
    # would ever certify a Child practitioner whose only missing requirement it was)
    for org_id in member_org_ids(person_id):
        certify_after_joining(person_id, org_id)
    return c


def _certifying_org(person_id: str, role: str) -> str | None:
    ptype = ROLES_BY_CODE[role]["package_type"]
    if ptype:
        org = db.session.scalar(
            sa.select(Package.organisation_id)
            .where(Package.practitioner_id == person_id, Package.type == ptype)
            .order_by(Package.created_at)
            .limit(1)
        )
        if org:
            return org
    orgs = member_org_ids(person_id)
    return orgs[0] if orgs else None


def certify_ready(person_id: str) -> list[Certification]:
    """Certify every role of the person whose requirements are all met (repeating, since one
    certification can meet another role's `informed`); a new Lead or Lead Plus may in turn
    complete the oversight of Child practitioners in their organisations."""
    done: list[Certification] = []
    queue, seen = [person_id], set()
    while queue:
        pid = queue.pop(0)
        seen.add(pid)
        while True:
            ready = rules.roles_ready_to_certify(facts_of(pid))
            if not ready:
                break
            for role in ready:
                c = Certification(
                    person_id=pid,
                    role=role,
                    organisation_id=_certifying_org(pid, role),
                    status="current",
                    certified_at=now(),
                )
                db.session.add(c)
                db.session.flush()
                outbox.add(
                    db.session,
                    OutboxMessage,
                    "training.practitioner.certified",
                    {
                        "person_id": pid,
                        "role": role,
                        "organisation_id": c.organisation_id,
                        "certified_at": iso(c.certified_at),
                    },
                    producer="training",
                )
                from ..notifications import certification_granted  # issue 12: email, same commit

                certification_granted(pid, role, c.id, c.certified_at)
                done.append(c)
                if role in ("lead", "lead_plus"):
                    for org_id in member_org_ids(pid):
                        queue += [
                            m
                            for m in db.session.scalars(
                                sa.select(Membership.person_id).where(
                                    Membership.organisation_id == org_id, Membership.status == "active"
                                )
                            )
                            if m not in seen and m not in queue
                        ]
    return done


def certifications_of(person_id: str) -> list[Certification]:
    return list(
        db.session.scalars(
            sa.select(Certification)
            .where(Certification.person_id == person_id)
            .order_by(Certification.certified_at, Certification.role)
        )
    )


def items_of(person_id: str) -> list[PathwayItem]:
    return list(
        db.session.scalars(
            sa.select(PathwayItem)
            .where(PathwayItem.person_id == person_id)
            .order_by(PathwayItem.created_at, PathwayItem.id)
        )
    )


def items_page(
    state: str | None, person_id: str | None, organisation_id: str | None, page: int, per_page: int
) -> tuple[list[tuple[PathwayItem, str]], int]:
    """Every person's items for training admins, oldest first: (item, person name) pairs."""
    q = sa.select(PathwayItem, Person.name).join(Person, Person.id == PathwayItem.person_id)
    if state:
        q = q.where(PathwayItem.state == state)
    if person_id:
        q = q.where(PathwayItem.person_id == person_id)
    if organisation_id:
        q = q.where(PathwayItem.organisation_id == organisation_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
    rows = db.session.execute(
        q.order_by(PathwayItem.created_at, PathwayItem.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return [(it, name) for it, name in rows], total


def certify_after_joining(person_id: str, organisation_id: str) -> list[Certification]:
    """A membership just became active: the person may now have their Lead oversight (Child), and a
    certified Lead or Lead Plus joining gives it to the organisation's Child practitioners."""
    done = certify_ready(person_id)
    if db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Certification)
        .where(
            Certification.person_id == person_id,
            Certification.role.in_(tuple(OVERSEER_TRAINING_ITEMS)),
            Certification.status == "current",
        )
    ):
        for other in list(
            db.session.scalars(
                sa.select(Membership.person_id).where(
                    Membership.organisation_id == organisation_id,
                    Membership.status == "active",
                    Membership.person_id != person_id,
                )
            )
        ):
            done += certify_ready(other)
    return done


def oversight_facts(organisation_id: str) -> dict:
    """Counts behind the organisation's oversight next steps, over ACTIVE (accepted) members only,
    in one statement: Child practitioners (certified or with a Child item booked), certified Lead
    Plus, Lead Plus in training (training item booked), certified Lead or Lead Plus."""
    members = sa.select(Membership.person_id).where(
        Membership.organisation_id == organisation_id, Membership.status == "active"
    )

    def certified(roles):
        return sa.select(Certification.person_id).where(
            Certification.person_id.in_(members),
            Certification.role.in_(roles),
            Certification.status == "current",
        )

    def count(q):
        return sa.select(sa.func.count(sa.distinct(q.subquery().c.person_id))).scalar_subquery()

    child = sa.union(
        certified(("child",)),
        sa.select(PathwayItem.person_id).where(
            PathwayItem.person_id.in_(members), PathwayItem.role == "child", PathwayItem.state != "cancelled"
        ),
    )
    training = sa.select(PathwayItem.person_id).where(
        PathwayItem.person_id.in_(members),
        PathwayItem.item == OVERSEER_TRAINING_ITEMS["lead_plus"],
        PathwayItem.state != "cancelled",
    )
    row = db.session.execute(
        sa.select(
            count(child).label("child"),
            count(certified(("lead_plus",))).label("lead_plus"),
            count(training).label("lead_plus_in_training"),
            count(certified(("lead", "lead_plus"))).label("leads"),
        )
    ).one()
    return {
        "child_practitioners": row.child or 0,
        "lead_plus": row.lead_plus or 0,
        "lead_plus_in_training": row.lead_plus_in_training or 0,
        "leads": row.leads or 0,
    }
