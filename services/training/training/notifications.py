"""Training's email: the kinds it sends, who receives them, and its reminders.

Event-driven notifications are written by the service functions that cause them, in the same
transaction (certify_ready, complete_item, add_member call the functions below). Reminders
are written by `flask notify reminders` (run hourly by the scheduler), once per due date.
Templates: training/notification_templates/<kind>.{subject.txt,txt,html}.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from imatter_shared.notifications import (
    EXTENSION_KEY,
    Kind,
    kinds_table,
    notify,
    register_notifications,
    remind,
)
from imatter_shared.notifications.schedule import due_step, reminder_key

from .extensions import db
from .models import Licence, Notification, NotificationPreference, Organisation, Person
from .models.lead_professionals import LeadProfessionalApplication
from .rules.licences import LICENCES
from .rules.roles import REQUIREMENTS, ROLES_BY_CODE
from .services import obligations

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notification_templates")

KINDS = kinds_table(
    Kind(
        "licence_expiring",
        "Organisation licence about to expire",
        description="To the organisation's link contact, 60, 30 and 7 days before a licence ends.",
    ),
    Kind(
        "obligation_due",
        "Lead Professional trainee obligation falling due",
        description="To the trainee, 7 days before an obligation's deadline.",
    ),
    Kind("pathway_item_completed", "Pathway item completed"),
    Kind("certification_granted", "Certification granted"),
    Kind(
        "organisation_invitation",
        "Invited to join an organisation",
        description="When an organisation's admin invites you; you accept or decline in the portal.",
    ),
    Kind(
        "plan_support_requested",
        "Asked to support a microproject",
        description="When a practitioner asks you to support their microproject plan (decision 0063).",
    ),
)
LICENCE_STEPS = (60, 30, 7)  # days before valid_until
OBLIGATION_STEPS = (7,)  # days before an obligation's due date
TRAINEE_STATES = ("trainee", "implementation")


def register(app) -> None:
    register_notifications(
        app,
        db,
        Notification,
        NotificationPreference,
        KINDS,
        TEMPLATES,
        reminders=[licence_reminders, obligation_reminders],
        sender_name="I Matter Training",
        preferences_path="/account/notifications",
    )


def _on() -> bool:
    return EXTENSION_KEY in current_app.extensions


def _date(dt: datetime | None) -> str:
    return dt.strftime("%d %B %Y").lstrip("0") if dt else ""


def _person_for_email(email: str) -> Person | None:
    """Whose preferences apply to an organisation address: its person, if it has one."""
    return db.session.scalar(
        sa.select(Person)
        .where(Person.email == email.lower())
        .order_by(Person.user_id.is_(None), Person.created_at)
        .limit(1)
    )


def _to_person(kind: str, person: Person | None, context: dict, dedup_key: str | None = None):
    if person is None or not _on():
        return None
    return notify(
        kind,
        to=person.email,
        recipient=person.id,
        dedup_key=dedup_key,
        context={"person_name": person.name, **context},
    )


# ---- written with the change that causes them ---------------------------------------------


def certification_granted(person_id: str, role: str, certification_id: str, certified_at: datetime) -> None:
    _to_person(
        "certification_granted",
        db.session.get(Person, person_id),
        {"role_title": ROLES_BY_CODE[role]["title"], "certified_on": _date(certified_at)},
        dedup_key=f"certified:{certification_id}",
    )


def pathway_item_completed(item) -> None:
    _to_person(
        "pathway_item_completed",
        db.session.get(Person, item.person_id),
        {
            "item_title": REQUIREMENTS.get(item.item, {}).get("title", item.item),
            "role_title": ROLES_BY_CODE.get(item.role, {}).get("title", item.role),
            "role": item.role,
        },
        dedup_key=f"item_completed:{item.id}",
    )


# What an organisation sees of a member once they accept (DOMAIN "Consent and identity"); fixed
# text, shown in the invitation so the person knows what they agree to.
INVITATION_SHARES = (
    "your name",
    "your practitioner roles",
    "your pathway and certification status (what is met, booked or missing)",
)
INVITATION_NEVER = ("your email preferences", "your practitioner licence ideas", "invoices to you")


# an organisation's kind in words (the closed list of rules/policy.KINDS; nothing an admin wrote)
ORGANISATION_KIND_WORDS = {
    "school": "school",
    "primary_care": "primary care service",
    "community_service": "community service",
    "locality_hub": "locality hub",
    "commissioner": "commissioner",
    "other_service": "service",
}


def organisation_invitation(org: Organisation, membership) -> None:
    """An invitation (security review M8: no open relay): NOTHING an admin wrote, not even the
    organisation's name. A fixed subject; the body says the organisation's kind and a short
    reference (the first 8 characters of its id), that its name is shown after signing in on
    "My invitations" (/memberships), and what it will see once accepted."""
    if not _on():
        return
    to = membership.email
    recipient = None
    if membership.person_id:
        person = db.session.get(Person, membership.person_id)
        if person is None:
            return
        to, recipient = person.email, person.id
    notify(
        "organisation_invitation",
        to=to,
        recipient=recipient,
        dedup_key=f"invitation:{membership.id}",
        context={
            "organisation_kind": ORGANISATION_KIND_WORDS.get(org.kind, "organisation"),
            "organisation_ref": org.id[:8],
            "shares": INVITATION_SHARES,
            "never": INVITATION_NEVER,
        },
    )


def plan_support_requested(plan) -> None:
    """To the Link or Lead practitioner asked to support a plan. Fixed text only (as the
    invitation, M8): nothing the practitioner wrote, not even their name; the portal shows it."""
    _to_person(
        "plan_support_requested",
        db.session.get(Person, plan.supporter_person_id),
        {},
        dedup_key=f"plan_support:{plan.id}:{plan.supporter_person_id}:{plan.supporter_asked_at:%Y%m%d%H%M%S%f}",
    )


# ---- scheduled reminders ---------------------------------------------------------------------


def licence_reminders(at: datetime) -> int:
    """60, 30 and 7 days before each licence's valid_until, to the organisation's link contact."""
    sent = 0
    rows = db.session.execute(
        sa.select(Licence, Organisation)
        .join(Organisation, Organisation.id == Licence.organisation_id)
        .where(Licence.valid_until > at, Licence.valid_until <= at + timedelta(days=max(LICENCE_STEPS)))
    ).all()
    for lic, org in rows:
        step = due_step(lic.valid_until, at, LICENCE_STEPS)
        if step is None or not org.link_contact_email:
            continue
        person = _person_for_email(org.link_contact_email)
        days_left = max(1, (lic.valid_until - at).days + (1 if (lic.valid_until - at).seconds else 0))
        sent += remind(
            "licence_expiring",
            to=org.link_contact_email,
            recipient=person.id if person else None,
            dedup_key=reminder_key("licence", lic.id, lic.valid_until, f"{step}d"),
            context={
                "organisation_name": org.name,
                "organisation_id": org.id,
                "licence_title": LICENCES[lic.type]["title"],
                "licence_type": lic.type,
                "valid_until": _date(lic.valid_until),
                "days_left": days_left,
                "step": step,
                "person_name": person.name if person else "link contact",
            },
        )
    return sent


def obligation_reminders(at: datetime) -> int:
    """A week before each Lead Professional trainee obligation falls due (not once it is done),
    and a week before the organisation's Starter Licence (the trainee's subscription licence) ends."""
    sent = 0
    apps = db.session.scalars(
        sa.select(LeadProfessionalApplication).where(
            LeadProfessionalApplication.state.in_(TRAINEE_STATES),
            LeadProfessionalApplication.trainee_from.is_not(None),
        )
    ).all()
    for a in apps:
        person = db.session.get(Person, a.person_id)
        if person is None:
            continue
        for o in obligations.obligations_at(a, at):
            step = (
                due_step(o["due_on"], at, OBLIGATION_STEPS)
                if o["status"] in ("due", "met") and o["due_on"]
                else None
            )
            if step is None:
                continue
            sent += remind(
                "obligation_due",
                to=person.email,
                recipient=person.id,
                dedup_key=reminder_key("obligation", a.id, o["code"], o["due_on"], f"{step}d"),
                context={
                    "person_name": person.name,
                    "obligation_title": o["title"],
                    "due_on": _date(o["due_on"]),
                    "done": o["done"],
                    "target": o["target"],
                },
            )
    return sent
