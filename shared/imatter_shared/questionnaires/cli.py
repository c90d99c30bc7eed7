"""`flask questionnaires load FILE` and `flask questionnaires list`, per service.

from imatter_shared.questionnaires.cli import register_questionnaire_cli
register_questionnaire_cli(app, db, QuestionnaireVersion, instruments=("imatter_q", ...),
                           extra_check=check_suggestions)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask.cli import AppGroup

from . import store
from .content import ContentError, read_file


def register_questionnaire_cli(
    app: Any,
    db: Any,
    VersionModel: type,
    *,
    instruments: tuple[str, ...],
    extra_check: Callable[[dict], list[str]] | None = None,
) -> AppGroup:
    group = AppGroup("questionnaires", help="Reflective-tool content: load versions from a file, list them.")

    @group.command("load")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--not-current", is_flag=True, help="Load the version without making it the current one.")
    def load(path: str, not_current: bool) -> None:
        """Load questionnaire content (JSON or YAML) as a new version. Answers given to earlier
        versions are never altered; the same version with other content is refused."""
        try:
            result = store.install(
                db.session,
                VersionModel,
                read_file(path),
                instruments=instruments,
                extra_check=extra_check,
                loaded_by="cli",
                make_current=not not_current,
            )
        except ContentError as exc:
            db.session.rollback()
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            raise SystemExit(1) from None
        db.session.commit()
        row = result.version
        what = "loaded" if result.created else "already loaded (unchanged)"
        click.echo(f"{row.instrument} {row.version}: {what}{' (current)' if row.current else ''}")

    @group.command("list")
    def list_() -> None:
        """Every loaded version; * marks the current one of each instrument."""
        for row in store.versions(db.session, VersionModel):
            sample = " [SAMPLE]" if row.sample else ""
            click.echo(f"{'*' if row.current else ' '} {row.instrument} {row.version}{sample} {row.title}")

    app.cli.add_command(group)
    return group
