"""Demo data for `make run`: clearly fictional, idempotent. Domain modules add to SEEDERS."""

import sqlalchemy as sa

from .extensions import db

SEEDERS: list = []

DEMO_HUB = "Demo Locality Hub (fictional)"


def seed_areas() -> None:
    from .services.tracker import ensure_areas

    ensure_areas()


def seed_demo_hub() -> None:
    from .models import Hub

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
    from .services.fund import current_round

    current_round()


SEEDERS += [seed_areas, seed_demo_hub, seed_fund_round]


def seed_reflective_samples() -> None:
    """Issue 11: SAMPLE formal Q and wellbeing wheel content where none is loaded yet."""
    from .services.reflective import load_samples

    load_samples()


SEEDERS.append(seed_reflective_samples)


def run_seed() -> None:
    for seeder in SEEDERS:
        seeder()
    db.session.commit()
