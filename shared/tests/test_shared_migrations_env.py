"""The shared Alembic environment (imatter_shared.migrations_env) on SQLite: a revision that leaves
a broken foreign key is refused before anything is saved, so neither its schema change nor the
alembic_version bump survives, and a second run refuses again instead of passing. A throwaway
migrations folder and model in a temp dir: no released revision is touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from imatter_shared.db_base import naming_metadata

TRAINING_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "training" / "migrations"

TABLES = """
import sqlalchemy as sa
from alembic import op

revision, down_revision = "0001", None


def upgrade():
    op.create_table("parents", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table(
        "children",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parents.id", name="fk_children_parent_id")),
    )
    op.execute("INSERT INTO parents (id) VALUES (1)")
    op.execute("INSERT INTO children (id, parent_id) VALUES (1, 1)")
"""

# a schema change (a table rebuilt in batch mode, as SQLite alters) and a row whose parent is gone
BREAKS = """
import sqlalchemy as sa
from alembic import op

revision, down_revision = "0002", "0001"


def upgrade():
    with op.batch_alter_table("children") as batch:
        batch.add_column(sa.Column("note", sa.String(20)))
    op.create_table("extras", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO children (id, parent_id) VALUES (2, 99)")
"""


def _migrations(folder: Path, *revisions: str) -> Path:
    (folder / "versions").mkdir(parents=True)
    for name in ("alembic.ini", "script.py.mako", "env.py"):
        shutil.copy(TRAINING_MIGRATIONS / name, folder / name)
    for i, text in enumerate(revisions, start=1):
        (folder / "versions" / f"{i:04d}_rev.py").write_text(text, encoding="utf-8")
    return folder


def _app(url: str, folder: Path) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db = SQLAlchemy(metadata=naming_metadata())
    db.init_app(app)
    Migrate(app, db, directory=str(folder))
    return app


def upgrade(app: Flask, revision: str = "head") -> None:
    """`flask db upgrade` without Flask-Migrate's wrapper, which turns the error into an exit."""
    with app.app_context():
        command.upgrade(app.extensions["migrate"].migrate.get_config(), revision)


def _state(url: str) -> tuple[str, set[str], set[str], int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            inspector = sa.inspect(conn)
            columns = {c["name"] for c in inspector.get_columns("children")}
            children = conn.exec_driver_sql("SELECT count(*) FROM children").scalar()
            return version, set(inspector.get_table_names()), columns, children
    finally:
        engine.dispose()


def test_a_broken_foreign_key_saves_nothing_and_names_the_table(tmp_path):
    url = f"sqlite:///{tmp_path}/fk.db"
    folder = _migrations(tmp_path / "migrations", TABLES, BREAKS)
    app = _app(url, folder)
    upgrade(app, "0001")
    assert _state(url) == ("0001", {"alembic_version", "parents", "children"}, {"id", "parent_id"}, 1)
    for _ in range(2):  # the second run finds the same, it does not pass on a half-saved upgrade
        with pytest.raises(RuntimeError, match=r"children -> parents"):
            upgrade(app)
        # the version, the rebuilt table, the new table and the row: all as before the run
        assert _state(url) == ("0001", {"alembic_version", "parents", "children"}, {"id", "parent_id"}, 1)


def test_several_revisions_in_one_run_are_saved_together(tmp_path):
    url = f"sqlite:///{tmp_path}/ok.db"
    fine = BREAKS.replace("VALUES (2, 99)", "VALUES (2, 1)")
    folder = _migrations(tmp_path / "migrations", TABLES, fine)
    upgrade(_app(url, folder))
    assert _state(url) == (
        "0002",
        {"alembic_version", "parents", "children", "extras"},
        {"id", "parent_id", "note"},
        2,
    )
