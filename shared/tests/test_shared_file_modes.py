"""Local files are private (security review L12): the var directory 0700, SQLite database files
and the embedded event store 0600 (their -wal/-shm files follow the database file), whatever
the process umask."""

from __future__ import annotations

import os
import stat

import pytest

from imatter_shared import config


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # the usual default, which gave 0644 files and 0755 directories
    yield
    os.umask(old)


def test_var_directories_are_0700_even_when_they_existed(tmp_path, monkeypatch, loose_umask):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    os.chmod(var, 0o755)
    monkeypatch.setenv("IMATTER_VAR_DIR", str(var))
    path = config.var_path("keys", "jwt_private.pem")
    assert path == str(var / "keys" / "jwt_private.pem")
    assert mode(var) == 0o700 and mode(var / "keys") == 0o700


def test_a_service_sqlite_database_is_0600(tmp_path, loose_umask):
    from support.testing import KeyPair
    from training import create_app
    from training.extensions import db

    folder = tmp_path / "fresh"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/training.db",
            "JWT_PUBLIC_KEY": KeyPair().public,
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "ev" / "events.db"),
            "ACCESS_LOG": False,
        }
    )
    with app.app_context():
        db.create_all()
        db.session.execute(db.text("SELECT 1"))
        db.session.commit()
        db.engine.dispose()
    assert mode(folder) == 0o700
    for name in os.listdir(folder):  # training.db and its -wal/-shm files
        assert mode(folder / name) == 0o600, name


def test_an_existing_world_readable_database_is_tightened(tmp_path, loose_umask):
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    os.chmod(path, 0o644)
    config.secure_sqlite_file(f"sqlite:///{path}")
    assert mode(path) == 0o600


def test_memory_and_postgresql_urls_are_left_alone():
    assert config.sqlite_file_of("sqlite://") is None
    assert config.sqlite_file_of("sqlite:///:memory:") is None
    assert config.sqlite_file_of("postgresql+psycopg://u@h/db") is None
    assert config.sqlite_file_of("sqlite:////abs/x.db") == "/abs/x.db"


def test_the_embedded_event_store_is_0600(tmp_path, loose_umask):
    from imatter_shared.messaging.transports.embedded import EmbeddedTransport

    folder = tmp_path / "events"
    transport = EmbeddedTransport(str(folder / "events.db"))
    try:
        transport._db()
    finally:
        transport.close()
    assert mode(folder) == 0o700
    for name in os.listdir(folder):
        assert mode(folder / name) == 0o600, name


def test_engines_hide_parameters_by_default():
    assert config.BaseConfig.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is True
