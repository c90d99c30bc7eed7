"""flask commands of the gateway: seed the staff accounts, grant staff roles, reset a staff password."""

import secrets
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import Flask, current_app

from imatter_shared.scheduler import DAY, HOUR, Job, register_schedule_cli

from . import passwords
from .extensions import db
from .models import User

STAFF = [
    ("training-admin@imatter.local", "I Matter Training admin", ["training_admin"]),
    ("cic-admin@imatter.local", "Relationship Health Matters CIC admin", ["cic_staff", "fund_reviewer"]),
    # an award needs two independent reviews (DOMAIN rulings, CIC): the CIC's second reviewer
    ("fund-reviewer@imatter.local", "Relationship Health Matters CIC fund reviewer", ["fund_reviewer"]),
]
STAFF_ROLES = ("training_admin", "cic_staff", "fund_reviewer")


def seed_staff(echo=click.echo) -> None:
    password = current_app.config.get("IMATTER_ADMIN_PASSWORD") or None
    generated = None
    for email, name, roles in STAFF:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            if password is None and generated is None:
                generated = secrets.token_urlsafe(12)
            user = User(email=email, name=name, password_hash=passwords.hash_password(password or generated))
            db.session.add(user)
        elif password is not None and not passwords.verify(user.password_hash, password):
            user.password_hash = passwords.hash_password(password)
            user.token_version += 1
        user.roles = roles
        if not user.email_verified:  # staff addresses are the organisations' own: nothing to prove
            user.email_verified, user.email_verified_at = True, datetime.now(UTC).replace(tzinfo=None)
    db.session.commit()
    if generated:
        echo(
            f"gateway: staff accounts created with the generated password {generated!r} "
            "(shown once; set IMATTER_ADMIN_PASSWORD to choose it)"
        )


# what `flask schedule run` runs (one leader among replicas; docs/deploying.md "Schedules")
SCHEDULE = [
    Job("reminders", "notify reminders", HOUR),
    Job("dp-retention", "dp retention", DAY),
]


def register_cli(app: Flask) -> None:
    register_schedule_cli(app, "gateway", "gateway", SCHEDULE)

    @app.cli.command("seed")
    @click.option("--demo", is_flag=True, help="Accepted as the other services' seed takes it.")
    def seed(demo):
        """Create the staff accounts (idempotent; with IMATTER_ADMIN_PASSWORD in production). The
        gateway holds no demo data: `--demo` changes nothing, so one `flask seed --demo` serves all
        three services in `make run`."""
        seed_staff()
        click.echo("gateway: seeded")

    @app.cli.command("staff-role")
    @click.argument("action", type=click.Choice(["grant", "revoke"]))
    @click.argument("email")
    @click.argument("role", type=click.Choice(STAFF_ROLES))
    def staff_role(action, email, role):
        """Grant or revoke a staff role (training_admin, cic_staff, fund_reviewer) on an account
        whose email is verified. Takes effect on the account's next request."""
        user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
        if user is None or not user.email_verified:
            raise click.ClickException("no account with a verified email at that address")
        roles = set(user.roles)
        roles = roles | {role} if action == "grant" else roles - {role}
        user.roles = sorted(roles)
        db.session.commit()
        click.echo(f"gateway: {email} now has roles {', '.join(user.roles)}")

    @app.cli.group("staff")
    def staff():
        """The staff accounts (STAFF are seeded by `flask seed`)."""

    @staff.command("reset-password")
    @click.argument("emails", nargs=-1)
    @click.option("--password", help="The new password (default: a generated one, printed once).")
    def reset_password(emails, password):
        """Set a new password on staff accounts (default: every seeded one) and print it. Their
        sessions end (token version bumped). Only accounts holding a staff role qualify."""
        reset_staff_password(emails, password)


def reset_staff_password(emails=(), password: str | None = None, echo=click.echo) -> str:
    """What `flask staff reset-password` does; returns the password it set."""
    wanted = [e.strip().lower() for e in emails] or [email for email, _name, _roles in STAFF]
    users = db.session.scalars(sa.select(User).where(User.email.in_(wanted))).all()
    found = {u.email: u for u in users if set(u.roles) & set(STAFF_ROLES)}
    missing = [e for e in wanted if e not in found]
    if missing:
        raise click.ClickException(
            "no staff account at " + ", ".join(missing) + " (run `flask --app gateway seed` first)"
        )
    if password is None:
        password = secrets.token_urlsafe(12)
    else:
        problems = [p for e in wanted for p in passwords.policy_errors(password, e)]
        if problems:
            raise click.ClickException(" ".join(dict.fromkeys(problems)))
    hashed = passwords.hash_password(password)
    for user in found.values():
        user.password_hash = hashed
        user.token_version += 1  # whoever was signed in with the old password is signed out
    db.session.commit()
    echo(f"gateway: new password for {', '.join(wanted)}: {password}")
    return password
