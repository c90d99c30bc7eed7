"""Demo data for `make run`: clearly fictional, idempotent. Domain modules add to SEEDERS."""
from .extensions import db

SEEDERS: list = []


def run_seed() -> None:
    for seeder in SEEDERS:
        seeder()
    db.session.commit()


# ---- organisation side (issue 4) --------------------------------------------------------------

DEMO_ORG_NAME = "Fictional Willowbrook Demo School (not a real organisation)"


def seed_price_book() -> None:
    """Version 1 of the price book: PLACEHOLDER fees, labelled as such (the seeds publish none)."""
    from .services import price_book
    price_book.ensure_stored()


def seed_demo_organisation() -> None:
    """A clearly fictional school with a Starter Licence, so the pathway has something to show."""
    import sqlalchemy as sa

    from .models import Organisation
    from .services import licences

    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == DEMO_ORG_NAME)):
        return
    org = Organisation(name=DEMO_ORG_NAME, kind="school", size_band="small",
                       link_contact_email="link.contact@willowbrook.example",
                       senior_leadership_commitment=True, created_by="seed-demo")
    db.session.add(org)
    db.session.flush()
    licences.purchase(org, "starter", "seed-demo")


SEEDERS += [seed_price_book, seed_demo_organisation]
