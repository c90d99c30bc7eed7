"""The Microproject Practice Guidelines (seed 003; decision 0064): versioned content stored as data,
and each practitioner's acknowledgement of a version.

Publishing a version announces it to cic-tracker (`training.practice_guidelines.published`);
acknowledging one announces that (`training.practitioner.guidelines_acknowledged`: the person, the
version, when). cic-tracker refuses a microproject's first case until its practitioner has
acknowledged the version in force; training never learns about cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from imatter_shared.web.errors import NotFound, RuleViolation

from ..events import outgoing
from ..extensions import db
from ..models import Person
from ..models.microproject_plans import GuidelinesAcknowledgement, PracticeGuidelinesVersion
from .clock import iso, now

CONTENT = Path(__file__).resolve().parents[2] / "content" / "microproject_practice_guidelines.json"


def current() -> PracticeGuidelinesVersion | None:
    return db.session.scalar(
        sa.select(PracticeGuidelinesVersion).order_by(PracticeGuidelinesVersion.version.desc()).limit(1)
    )


def as_dict(row: PracticeGuidelinesVersion, current_version: int | None) -> dict:
    return {
        "version": row.version,
        "title": row.title,
        "sections": row.sections,
        "published_at": iso(row.published_at),
        "current": row.version == current_version,
    }


def versions() -> list[PracticeGuidelinesVersion]:
    return list(
        db.session.scalars(
            sa.select(PracticeGuidelinesVersion).order_by(PracticeGuidelinesVersion.version.desc())
        )
    )


def get(version: int) -> PracticeGuidelinesVersion:
    row = db.session.get(PracticeGuidelinesVersion, version) if 1 <= version <= 2**31 - 1 else None
    if row is None:
        raise NotFound("No practice guidelines with that version.")
    return row


def publish(data: dict, user_id: str) -> PracticeGuidelinesVersion:
    """A new version (the next number), in force at once: practitioners acknowledge it again
    before their next first case. The version row is locked so two publications never share a number."""
    latest = db.session.scalar(
        sa.select(PracticeGuidelinesVersion)
        .order_by(PracticeGuidelinesVersion.version.desc())
        .limit(1)
        .with_for_update()
    )
    row = PracticeGuidelinesVersion(
        version=(latest.version if latest else 0) + 1,
        title=data["title"].strip(),
        sections=[
            {"heading": s["heading"].strip(), "points": [p.strip() for p in s["points"]]}
            for s in data["sections"]
        ],
        published_at=now(),
        published_by=user_id,
    )
    db.session.add(row)
    db.session.flush()
    outgoing.practice_guidelines_published(row)
    return row


def load_content(user_id: str = "cli") -> tuple[PracticeGuidelinesVersion, bool]:
    """The shipped guidelines (content/microproject_practice_guidelines.json) as version 1 when no
    version exists yet (idempotent: `flask guidelines load`, and the demo seed). (row, created)."""
    existing = current()
    if existing is not None:
        return existing, False
    return publish(json.loads(CONTENT.read_text(encoding="utf-8")), user_id), True


def acknowledge(person_id: str, version: int, user_id: str) -> tuple[GuidelinesAcknowledgement, bool]:
    """Only the version in force may be acknowledged (409 `guidelines_current` otherwise); a second
    acknowledgement of it changes nothing. (row, created)."""
    row = get(version)
    # one acknowledgement per person and version, also under a double click: queue on the person
    db.session.execute(sa.select(Person.id).where(Person.id == person_id).with_for_update())
    now_current = current()
    if row.version != now_current.version:
        raise RuleViolation(
            f"Version {row.version} is no longer in force: acknowledge version {now_current.version}.",
            unmet=["guidelines_current"],
        )
    existing = db.session.scalar(
        sa.select(GuidelinesAcknowledgement).where(
            GuidelinesAcknowledgement.person_id == person_id, GuidelinesAcknowledgement.version == version
        )
    )
    if existing is not None:
        return existing, False
    ack = GuidelinesAcknowledgement(
        person_id=person_id, version=version, acknowledged_by=user_id, acknowledged_at=now()
    )
    db.session.add(ack)
    db.session.flush()
    outgoing.guidelines_acknowledged(ack)
    return ack, True


def acknowledgements_of(person_id: str) -> list[dict]:
    cur = current()
    rows = db.session.scalars(
        sa.select(GuidelinesAcknowledgement)
        .where(GuidelinesAcknowledgement.person_id == person_id)
        .order_by(GuidelinesAcknowledgement.version.desc())
    )
    return [ack_dict(a, cur.version if cur else None) for a in rows]


def ack_dict(a: GuidelinesAcknowledgement, current_version: int | None) -> dict:
    return {
        "id": a.id,
        "person_id": a.person_id,
        "version": a.version,
        "acknowledged_at": iso(a.acknowledged_at),
        "current": a.version == current_version,
    }
