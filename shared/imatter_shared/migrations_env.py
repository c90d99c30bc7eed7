"""What every service's Alembic `migrations/env.py` does, written once. The env.py is two lines:

    from imatter_shared.migrations_env import run_migrations
    run_migrations()

It runs under `flask db ...` (Flask-Migrate), so the app is current: the engine and the models'
metadata are the app's. After an online upgrade or downgrade it (re)installs the PostgreSQL
append-only trigger on the audit tables that exist (imatter_shared.audit.install_pg_guards).
"""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from imatter_shared.audit import install_pg_guards

logger = logging.getLogger("alembic.env")


def run_migrations() -> None:
    config = context.config
    if not logging.getLogger().handlers:  # the app has set up its own (JSON) logging: keep it,
        fileConfig(config.config_file_name, disable_existing_loggers=False)  # and every logger enabled
    target_db = current_app.extensions["migrate"].db
    config.set_main_option("sqlalchemy.url", _engine_url(target_db.engine))
    metadata = target_db.metadatas[None] if hasattr(target_db, "metadatas") else target_db.metadata
    if context.is_offline_mode():
        _run_offline(config, metadata)
    else:
        _run_online(config, target_db.engine, metadata)


def _engine_url(engine) -> str:
    # `%` is Alembic's interpolation character in its config values
    return engine.url.render_as_string(hide_password=False).replace("%", "%%")


def _run_offline(config, metadata) -> None:
    """Emit the SQL instead of running it (no database connection needed)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online(config, engine, metadata) -> None:
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = _skip_empty_autogenerate(config)
    sqlite = engine.dialect.name == "sqlite"
    # SQLite alters a table by rebuilding it (copy, drop, rename): batch mode, in the revisions
    # `flask db migrate` writes and in those written by hand (decision 0042)
    conf_args.setdefault("render_as_batch", sqlite)
    conf_args.setdefault("compare_type", True)
    with engine.connect() as connection:
        if sqlite:
            _foreign_keys(connection, on=False)  # a rebuilt table's drop must not cascade
            # One transaction for the whole run, begun by hand: pysqlite commits DDL as it goes
            # unless BEGIN was sent, and Alembic gives SQLite one transaction per revision. So a
            # broken foreign key found below rolls back every revision's schema change and the
            # alembic_version bump, and the next run fails the same way instead of passing.
            connection.exec_driver_sql("BEGIN")
        try:
            # an open transaction is "external" to Alembic: it begins and commits none of its own
            context.configure(connection=connection, target_metadata=metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
                install_pg_guards(connection, metadata)
            if sqlite:
                _check_foreign_keys(connection)  # before the commit
                connection.commit()
        finally:
            if sqlite:
                connection.rollback()  # nothing left to undo after a commit
                _foreign_keys(connection, on=True)


def _check_foreign_keys(connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        pairs = sorted({f"{table} -> {parent}" for table, _rowid, parent, _fk in broken})
        raise RuntimeError(
            f"the migration leaves {len(broken)} row(s) whose foreign key points at no row "
            f"({', '.join(pairs)}); nothing was saved, the database is still at its earlier revision"
        )


def _foreign_keys(connection, *, on: bool) -> None:
    """SQLite ignores this pragma inside a transaction: it runs between them."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()


def _skip_empty_autogenerate(config):
    """`flask db migrate` with no schema change writes no empty revision file."""

    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    return process_revision_directives
