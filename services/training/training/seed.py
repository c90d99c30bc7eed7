"""Demo data for `make run`: clearly fictional, idempotent. Domain modules add to SEEDERS."""
from .extensions import db

SEEDERS: list = []


def run_seed() -> None:
    for seeder in SEEDERS:
        seeder()
    db.session.commit()
