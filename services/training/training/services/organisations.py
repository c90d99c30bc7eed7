"""Organisations: creation (the creator becomes its admin), members, and the derived
implementation stage with next steps."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, NotFound
from imatter_shared.web.paging import rows_page

from ..events import outgoing
from ..extensions import db
from ..models import Organisation, OrganisationAdmin
from ..queries import org_detail, org_facts
from ..queries.certification import oversight_facts, oversight_of
from ..rules import licences as licence_rules
from ..rules import stage as stage_rules
from ..rules.catalogue import L1_2_COURSES
from . import licences, price_book, seats


def _check_size_band(code: str) -> None:
    codes = price_book.size_band_codes()
    if code not in codes:
        raise InvalidInput(
            "size_band",
            f"Must be a size band of the current price book: {', '.join(codes)}.",
            detail="Unknown size band.",
        )


def create(data: dict, principal) -> Organisation:
    """The creating user becomes the organisation's admin (its link contact role)."""
    _check_size_band(data["size_band"])
    org = Organisation(
        name=data["name"].strip(),
        kind=data["kind"],
        size_band=data["size_band"],
        link_contact_email=(data.get("link_contact_email") or principal.email or "").lower(),
        senior_leadership_commitment=bool(data.get("senior_leadership_commitment", False)),
        created_by=principal.user_id,
    )
    db.session.add(org)
    db.session.flush()
    db.session.add(OrganisationAdmin(organisation_id=org.id, user_id=principal.user_id))
    outgoing.organisation_admin_changed(org.id, principal.user_id, "active", org.kind)
    db.session.flush()
    return org


def facts_of_created(org: Organisation) -> tuple[licences.Held, dict]:
    """What the creation's answer derives (the organisation's licences and detail_facts), read
    before the commit: a new organisation holds no licence (nothing else can reference a row this
    transaction has not committed), and its counts are read in the transaction that wrote it. With
    commit_keeping_rows, the session keeps the rows it wrote after the commit (no refresh), so the
    answer needs nothing from the database once the transaction has ended (docs/performance.md, "Issue 18,
    seventh session")."""
    held = licences.Held(org.id, read_only=True, rows=[])
    return held, detail_facts(org.id, held)


def commit_keeping_rows() -> None:
    """Commit without expiring the rows the session holds (the answer is built from them after
    the commit), then expire on commit again: a session can outlive this request (an app context
    already pushed, as in the tests, is reused), and nothing after it may read stale rows."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def update(org: Organisation, data: dict) -> Organisation:
    if "size_band" in data:
        _check_size_band(data["size_band"])
    for key in ("name", "size_band", "link_contact_email", "senior_leadership_commitment"):
        if key in data and data[key] is not None:
            setattr(org, key, data[key].lower() if key == "link_contact_email" else data[key])
    return org


def get(organisation_id: str) -> Organisation:
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No organisation with that id.")
    return org


def visible(c, page: int, per_page: int) -> tuple[list[Organisation], int]:
    """The caller's organisations (admin or member); every organisation for a training admin."""
    q = sa.select(Organisation)
    if not c.is_training_admin:
        q = q.where(Organisation.id.in_(c.admin_org_ids | c.member_org_ids))
    return rows_page(db.session, q.order_by(Organisation.created_at, Organisation.id), page, per_page)


# ---- stage ---------------------------------------------------------------------------------


def facts(org_id: str) -> dict:
    """Counts the stage is derived from (learners, practitioners, microprojects)."""
    return counts_of(org_id)["facts"]


def counts_query(org_id: str) -> sa.Select:
    """One row: the stage facts, the active members and the seats in use (a scalar subquery
    each) rather than one round trip per count."""
    return sa.select(
        org_facts.learners_query(org_id).scalar_subquery().label("learners"),
        org_facts.practitioners_count_query(org_id, roles=licence_rules.ENHANCED_PRACTITIONER_ROLES)
        .scalar_subquery()
        .label("practitioners"),
        org_facts.microprojects_reached_query(org_id).scalar_subquery().label("microprojects"),
        org_facts.members_count_query(org_id).scalar_subquery().label("members"),
        seats.used_query(org_id).scalar_subquery().label("seats_used"),
    )


def counts_of(org_id: str) -> dict:
    """The stage facts, the active members and the seats in use, in one statement."""
    return _counts(db.session.execute(counts_query(org_id)).one())


def _counts(row) -> dict:
    return {
        "facts": {
            "learners": row.learners or 0,
            "practitioners": row.practitioners or 0,
            "microprojects": row.microprojects or 0,
        },
        "members": row.members or 0,
        "seats_used": row.seats_used or 0,
    }


# detail_facts' statement, built once per set of L1-2 course codes of the price book in force,
# with the organisation and the CPD licence year's start as bound parameters: building this
# expression tree took most of the read's CPU (profiled)
_DETAIL_STATEMENTS: dict[tuple, sa.Select] = {}


def _detail_statement(l1_2: tuple[str, ...]) -> sa.Select:
    statement = _DETAIL_STATEMENTS.get(l1_2)
    if statement is None:
        org = sa.bindparam("org_id", type_=sa.String)
        since = sa.bindparam("since", type_=sa.DateTime)
        statement = org_detail.detail_query(org, since, l1_2)
        if len(_DETAIL_STATEMENTS) >= 32:  # price-book edits changing the L1-2 courses: start afresh
            _DETAIL_STATEMENTS.clear()
        _DETAIL_STATEMENTS[l1_2] = statement
    return statement


def detail_facts(org_id: str, held: licences.Held) -> dict:
    """Everything an organisation's read derives its stage, next steps and seats from, once its
    licences are held, in ONE statement (queries/org_detail.py): the counts of counts_of, the
    seat ledger of the CPD licence year and the oversight counts. Keys: counts_of's, plus
    `ledger` and `oversight`. (The courses counted as L1-2 come from the price book in force:
    prime its stamp first, see price_book.stamp_columns, or it costs a query of its own.)"""
    since = seats.year_start(held.get("cpd"), held.at)
    statement = _detail_statement(tuple(L1_2_COURSES))
    # columns only, no ORM entity: run on the session's connection (same transaction), without
    # the ORM's execution layer around it
    row = db.session.connection().execute(statement, {"org_id": org_id, "since": since}).one()
    return {**_counts(row), "ledger": seats.ledger_of(row), "oversight": oversight_of(row)}


def stage_of(
    org: Organisation,
    seat_summary: dict | None = None,
    held: licences.Held | None = None,
    f: dict | None = None,
    oversight: dict | None = None,
) -> dict:
    """Stage and next steps. `seat_summary`, `held` (the organisation's licences), `f` (the
    facts) and `oversight` (oversight_facts): what the caller has already read for this request;
    anything missing is read here."""
    f = f if f is not None else facts(org.id)
    held = held or licences.Held(org.id, practitioners=f["practitioners"])
    starter = licences.has_active_licence(org.id, "starter", held)
    n = stage_rules.stage(
        learners=f["learners"],
        practitioners=f["practitioners"],
        microprojects=f["microprojects"],
        starter=starter,
    )
    seat_summary = seat_summary or seats.summary(org.id, held)
    steps = stage_rules.next_steps(
        stage_no=n,
        starter=starter,
        cpd=licences.has_active_licence(org.id, "cpd", held),
        enhanced=licences.has_active_licence(org.id, "enhanced", held),
        senior_leadership_commitment=bool(org.senior_leadership_commitment),
        seats_available=seat_summary["available"],
        learners=f["learners"],
    )

    oversight = oversight if oversight is not None else oversight_facts(org.id)
    steps += stage_rules.oversight_steps(stage_no=n, **oversight)
    return {"stage": n, "stage_name": stage_rules.STAGES[n], "next_steps": steps, "facts": f}
