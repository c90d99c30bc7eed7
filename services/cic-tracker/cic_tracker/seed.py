"""`flask seed --demo` for `make run`: the reference data (`flask catalogue load`, what production
runs: REFERENCE) and clearly fictional demo data on top (SEEDERS), idempotent."""

import sqlalchemy as sa

from .extensions import db
from .models import Hub
from .services.fund import current_round
from .services.reflective import load_samples
from .services.tracker import ensure_areas

DEMO_HUB = "Demo Locality Hub (fictional)"


def seed_areas() -> None:
    ensure_areas()


def seed_demo_hub() -> None:
    if db.session.scalar(sa.select(Hub).where(Hub.name == DEMO_HUB)) is None:
        db.session.add(
            Hub(
                name=DEMO_HUB,
                locality="Exampleton (fictional)",
                created_by="seed",
                description="A fictional hub for demonstrations: opt-in consultations and "
                "baseline/follow-up use. No real people or places.",
            )
        )


def seed_fund_round() -> None:
    """The current quarter's round, open for applications."""
    current_round()


def seed_reflective_samples() -> None:
    """SAMPLE formal Q and wellbeing wheel content where none is loaded yet."""
    load_samples()


REFERENCE: list = [seed_areas, seed_fund_round]
SEEDERS: list = [*REFERENCE, seed_demo_hub, seed_reflective_samples]


def run_reference() -> None:
    for seeder in REFERENCE:
        seeder()
    db.session.commit()


def run_seed() -> None:
    for seeder in SEEDERS:
        seeder()
    db.session.commit()
