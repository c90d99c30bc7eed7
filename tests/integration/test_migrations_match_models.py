"""Each service's Alembic migrations build exactly the schema its models declare,
on SQLite and on the real PostgreSQL (so `make run` and deployments migrate correctly)."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from support import testing as t

APPS = ["training", "cic_tracker", "gateway"]


def _factory(name):
    module = __import__(name)
    return module.create_app, module.extensions.db


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/m.db"
        return
    url = t.create_postgres_database("imatter_migr")
    yield url
    t.drop_postgres_database(url)


@pytest.mark.parametrize("name", APPS)
def test_upgrade_builds_the_models_schema(name, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path))
    create_app, db = _factory(name)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "ACCESS_LOG": False,
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata
            )
        db.engine.dispose()
    tables_or_columns = [
        d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")
    ]
    assert tables_or_columns == [], (
        f"{name}: migrations differ from models; add a new revision in services/<svc>/migrations/versions: {tables_or_columns}"
    )


def _revisions_in_order(app) -> list[str]:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate  # noqa: F401  (the app's extension holds the configuration)

    config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


@pytest.mark.parametrize("name", APPS)
def test_upgrade_from_each_previous_head(name, database_url, tmp_path, monkeypatch):
    """A deployed database is at some earlier head: upgrading it one released revision at a time
    reaches the same schema as the models, and the chain has one head (no forgotten branch)."""
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path))
    create_app, db = _factory(name)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "ACCESS_LOG": False,
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
        }
    )
    with app.app_context():
        from alembic.script import ScriptDirectory

        heads = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_heads()
        assert len(heads) == 1, f"{name}: more than one migration head: {heads}"
        revisions = _revisions_in_order(app)
        for rev in revisions:  # each step starts from the previous head
            upgrade(revision=rev)
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata
            )
        db.engine.dispose()
    assert current == revisions[-1] == heads[0]
    assert [
        d
        for d in diff
        if d[0] in ("add_table", "remove_table", "add_column", "remove_column", "add_index", "remove_index")
    ] == [], f"{name}: {diff}"
