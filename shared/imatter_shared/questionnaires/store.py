"""Installing versions and finding the current one, through the caller's session."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import sqlalchemy as sa

from .content import ContentError, checksum, parse_document


@dataclass(frozen=True)
class Installed:
    version: Any        # the version row
    created: bool       # False when the identical content was already loaded


def install(session: Any, VersionModel: type, doc: dict, *, instruments: tuple[str, ...] | None = None,
            extra_check: Callable[[dict], list[str]] | None = None, loaded_by: str = "cli",
            make_current: bool = True) -> Installed:
    """Validate `doc` and add it as a new version (current by default). Loading the same
    instrument and version again with identical content is a no-op; with different content it
    is refused: versions are immutable, give the new content a new version. Does not commit."""
    content = parse_document(doc, instruments=instruments)
    if extra_check is not None:
        problems = extra_check(content)
        if problems:
            raise ContentError(problems)
    digest = checksum(content)
    existing = session.scalar(sa.select(VersionModel).where(VersionModel.instrument == content["instrument"],
                                                            VersionModel.version == content["version"]))
    if existing is not None:
        if existing.checksum != digest:
            raise ContentError([f"{content['instrument']} version {content['version']!r} is already loaded with "
                                "other content; versions never change: give this content a new version"])
        return Installed(existing, False)
    row = VersionModel(instrument=content["instrument"], version=content["version"], title=content["title"],
                       sample=content["sample"], content=content, checksum=digest, current=False,
                       loaded_by=loaded_by)
    session.add(row)
    session.flush()
    if make_current:
        set_current(session, VersionModel, row)
    return Installed(row, True)


def set_current(session: Any, VersionModel: type, row: Any) -> None:
    session.execute(sa.update(VersionModel).where(VersionModel.instrument == row.instrument,
                                                  VersionModel.id != row.id).values(current=False))
    row.current = True
    session.flush()


def current(session: Any, VersionModel: type, instrument: str):
    return session.scalar(sa.select(VersionModel).where(VersionModel.instrument == instrument,
                                                        VersionModel.current.is_(True)))


def versions(session: Any, VersionModel: type, instrument: str | None = None) -> list:
    stmt = sa.select(VersionModel).order_by(VersionModel.instrument, VersionModel.loaded_at, VersionModel.id)
    if instrument:
        stmt = stmt.where(VersionModel.instrument == instrument)
    return list(session.scalars(stmt))


def public_view(row: Any) -> dict:
    """What a form needs to ask the questions (no answers, nothing about anyone)."""
    c = row.content
    return {"id": row.id, "instrument": row.instrument, "version": row.version, "title": row.title,
            "sample": row.sample, "notice": c.get("notice"), "current": row.current,
            "scales": c["scales"], "bands": c["bands"],
            "sections": [{"code": s["code"], "title": s["title"], "description": s["description"],
                          "questions": s["questions"]} for s in c["sections"]]}
