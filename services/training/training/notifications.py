"""Training's email (issue 12): the kinds it sends, who receives them, and its reminders.

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

from imatter_shared.notifications import (EXTENSION_KEY, Kind, kinds_table, notify, register_notifications,
                                          remind)
from imatter_shared.notifications.schedule import due_step, reminder_key

from .extensions import db
from .models import Notification, NotificationPreference, Organisation, Person

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notification_templates")

KINDS = kinds_table(
    Kind("licence_expiring", "Organisation licence about to expire",
         description="To the organisation's link contact, 60, 30 and 7 days before a licence ends."),
    Kind("obligation_due", "Lead Professional trainee obligation falling due",
         description="To the trainee, 7 days before an obligation's deadline."),
    Kind("pathway_item_completed", "Pathway item completed"),
    Kind("certification_granted", "Certification granted"),
    Kind("organisation_invitation", "Invited to join an organisation",
         description="When an organisation's admin invites you; you accept or decline in the portal."),
)
LICENCE_STEPS = (60, 30, 7)      # days before valid_until
OBLIGATION_STEPS = (7,)          # days before an obligation's due date
TRAINEE_STATES = ("trainee", "implementation")


def register(app) -> None:
    register_notifications(app, db, Notification, NotificationPreference, KINDS, TEMPLATES,
                           reminders=[licence_reminders, obligation_reminders],
                           sender_name="I Matter Training", preferences_path="/account/notifications")


def _on() -> bool:
    return EXTENSION_KEY in current_app.extensions


def _date(dt: datetime | None) -> str:
    return dt.strftime("%d %B %Y").lstrip("0") if dt else ""


def _person_for_email(email: str) -> Person | None:
    """Whose preferences apply to an organisation address: its person, if it has one."""
    return db.session.scalar(sa.select(Person).where(Person.email == email.lower())
                             .order_by(Person.user_id.is_(None), Person.created_at).limit(1))


def _to_person(kind: str, person: Person | None, context: dict, dedup_key: str | None = None):
    if person is None or not _on():
        return None
    return notify(kind, to=person.email, recipient=person.id, dedup_key=dedup_key,
                  context={"person_name": person.name, **context})


# ---- written with the change that causes them ---------------------------------------------

def certification_granted(person_id: str, role: str, certification_id: str, certified_at: datetime) -> None:
    from .rules.roles import ROLES_BY_CODE
    _to_person("certification_granted", db.session.get(Person, person_id),
               {"role_title": ROLES_BY_CODE[role]["title"], "certified_on": _date(certified_at)},
               dedup_key=f"certified:{certification_id}")


def pathway_item_completed(item) -> None:
    from .rules.roles import REQUIREMENTS, ROLES_BY_CODE
    _to_person("pathway_item_completed", db.session.get(Person, item.person_id),
               {"item_title": REQUIREMENTS.get(item.item, {}).get("title", item.item),
                "role_title": ROLES_BY_CODE.get(item.role, {}).get("title", item.role), "role": item.role},
               dedup_key=f"item_completed:{item.id}")


# What an organisation sees of a member once they accept (DOMAIN "Consent and identity"); fixed
# text, shown in the invitation so the person knows what they agree to.
INVITATION_SHARES = ("your name", "your practitioner roles",
                     "your pathway and certification status (what is met, booked or missing)")
INVITATION_NEVER = ("your email preferences", "your practitioner licence ideas", "invoices to you")


def organisation_invitation(org: Organisation, membership) -> None:
    """An invitation (security review M8: no open relay): a fixed subject with nothing an admin
    wrote in it; the body names the organisation (quoted) and what it will see, and links to the
    portal page where the person accepts or declines. No person name, no role text."""
    if not _on():
        return
    to = membership.email
    recipient = None
    if membership.person_id:
        person = db.session.get(Person, membership.person_id)
        if person is None:
            return
        to, recipient = person.email, person.id
    notify("organisation_invitation", to=to, recipient=recipient, dedup_key=f"invitation:{membership.id}",
           context={"organisation_name": " ".join((org.name or "").split())[:200],
                    "shares": INVITATION_SHARES, "never": INVITATION_NEVER})


