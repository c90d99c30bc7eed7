"""Installing versions and finding the current one, through the caller's session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from imatter_shared.web.errors import NotFound, RuleViolation

from .content import ContentError, checksum, parse_document, read_file


@dataclass(frozen=True)
class Installed:
    version: Any  # the version row
    created: bool  # False when the identical content was already loaded


def install(
    session: Any,
    VersionModel: type,
    doc: dict,
    *,
    instruments: tuple[str, ...] | None = None,
    extra_check: Callable[[dict], list[str]] | None = None,
    loaded_by: str = "cli",
    make_current: bool = True,
) -> Installed:
    """Validate `doc` and add it as a new version (current by default). Loading the same
    instrument and version again with identical content is a no-op; with different content it
    is refused: versions are immutable, give the new content a new version. Does not commit."""
    content = parse_document(doc, instruments=instruments)
    if extra_check is not None:
        problems = extra_check(content)
        if problems:
            raise ContentError(problems)
    digest = checksum(content)
    existing = session.scalar(
        sa.select(VersionModel).where(
            VersionModel.instrument == content["instrument"], VersionModel.version == content["version"]
        )
    )
    if existing is not None:
        if existing.checksum != digest:
            raise ContentError(
                [
                    f"{content['instrument']} version {content['version']!r} is already loaded with "
                    "other content; versions never change: give this content a new version"
                ]
            )
        return Installed(existing, False)
    row = VersionModel(
        instrument=content["instrument"],
        version=content["version"],
        title=content["title"],
        sample=content["sample"],
        content=content,
        checksum=digest,
        current=False,
        loaded_by=loaded_by,
    )
    session.add(row)
    session.flush()
    if make_current:
        set_current(session, VersionModel, row)
    return Installed(row, True)


def set_current(session: Any, VersionModel: type, row: Any) -> None:
    session.execute(
        sa.update(VersionModel)
        .where(VersionModel.instrument == row.instrument, VersionModel.id != row.id)
        .values(current=False)
    )
    row.current = True
    session.flush()


def current(session: Any, VersionModel: type, instrument: str):
    return session.scalar(
        sa.select(VersionModel).where(VersionModel.instrument == instrument, VersionModel.current.is_(True))
    )


def current_or_refuse(session: Any, VersionModel: type, instrument: str, instruments: tuple[str, ...]):
    """The current version of an instrument this service holds: 404 for an instrument it does not
    hold, 409 `questionnaire_content` while nothing is loaded for it."""
    if instrument not in instruments:
        raise NotFound("No questionnaire with that name here.")
    row = current(session, VersionModel, instrument)
    if row is None:
        raise RuleViolation(
            "No content is loaded for this questionnaire yet (an admin loads it with "
            "`flask questionnaires load FILE`).",
            unmet=["questionnaire_content"],
        )
    return row


def install_missing(
    session: Any,
    VersionModel: type,
    paths: list[str],
    *,
    instruments: tuple[str, ...],
    extra_check: Callable[[dict], list[str]] | None = None,
) -> list[str]:
    """Install each shipped content file whose instrument has no version yet (idempotent seeding).
    Returns the instruments installed. Does not commit."""
    loaded = []
    for path in paths:
        doc = read_file(path)
        if current(session, VersionModel, doc.get("instrument")) is None:
            install(
                session, VersionModel, doc, instruments=instruments, extra_check=extra_check, loaded_by="seed"
            )
            loaded.append(doc["instrument"])
    return loaded


def versions(session: Any, VersionModel: type, instrument: str | None = None) -> list:
    stmt = sa.select(VersionModel).order_by(VersionModel.instrument, VersionModel.loaded_at, VersionModel.id)
    if instrument:
        stmt = stmt.where(VersionModel.instrument == instrument)
    return list(session.scalars(stmt))


def public_view(row: Any) -> dict:
    """What a form needs to ask the questions (no answers, nothing about anyone)."""
    c = row.content
    return {
        "id": row.id,
        "instrument": row.instrument,
        "version": row.version,
        "title": row.title,
        "sample": row.sample,
        "notice": c.get("notice"),
        "current": row.current,
        "scales": c["scales"],
        "bands": c["bands"],
        "sections": [
            {
                "code": s["code"],
                "title": s["title"],
                "description": s["description"],
                "questions": s["questions"],
            }
            for s in c["sections"]
        ],
    }
