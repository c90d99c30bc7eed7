"""flask commands of the gateway: seed the staff accounts."""
import os
import secrets
from datetime import datetime, timezone

import click
import sqlalchemy as sa
from flask import Flask

STAFF = [
    ("training-admin@imatter.local", "I Matter Training admin", ["training_admin"]),
    ("cic-admin@imatter.local", "Relationship Health Matters CIC admin", ["cic_staff", "fund_reviewer"]),
]


def seed_staff(echo=click.echo) -> None:
    from . import passwords
    from .extensions import db
    from .models import User

    password = os.environ.get("IMATTER_ADMIN_PASSWORD") or None
    generated = None
    for email, name, roles in STAFF:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            if password is None and generated is None:
                generated = secrets.token_urlsafe(12)
            user = User(email=email, name=name,
                        password_hash=passwords.hash_password(password or generated))
            db.session.add(user)
        elif password is not None and not passwords.verify(user.password_hash, password):
            user.password_hash = passwords.hash_password(password)
            user.token_version += 1
        user.roles = roles
        if not user.email_verified:  # staff addresses are the organisations' own: nothing to prove
            user.email_verified, user.email_verified_at = True, datetime.now(timezone.utc).replace(tzinfo=None)
    db.session.commit()
    if generated:
        echo(f"gateway: staff accounts created with the generated password {generated!r} "
             "(shown once; set IMATTER_ADMIN_PASSWORD to choose it)")


def register_cli(app: Flask) -> None:
    @app.cli.command("seed")
    def seed():
        """Create the seeded staff accounts (idempotent)."""
        seed_staff()
        click.echo("gateway: seeded")
