"""What the closed list of membership roles (services/memberships.py MEMBER_ROLES reads it) is called.

A membership role names what the person does in the organisation; only `admin`, once the
invitation is accepted, grants anything (the organisation's admin rights)."""

from __future__ import annotations

ADMIN_ROLE = "admin"

# in the order an invitation form offers them
MEMBER_ROLE_LABELS: dict[str, str] = {
    "staff": "Staff member",
    "member": "Member",
    "learner": "Learner",
    "teacher": "Teacher",
    "practitioner": "Practitioner",
    "trainee": "Trainee",
    "informed": "Informed Practitioner",
    "senior_link": "Senior Link",
    "link": "Link",
    "child": "Child",
    "lead": "Lead",
    "lead_plus": "Lead Plus",
    "volunteer": "Volunteer",
    "parent_mentor": "Parent mentor",
    "manager": "Manager",
    "senior_leader": "Senior leader",
    ADMIN_ROLE: "Admin (administers the organisation)",
}


def member_roles() -> list[dict]:
    return [
        {"code": code, "label": label, "grants_admin": code == ADMIN_ROLE}
        for code, label in MEMBER_ROLE_LABELS.items()
    ]
