"""Alembic environment: the one every service shares (imatter_shared.migrations_env)."""

from imatter_shared.migrations_env import run_migrations

run_migrations()
