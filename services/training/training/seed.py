"""`flask seed --demo` for `make run`: the reference data (`flask catalogue load`, what production
runs) and clearly fictional demo data on top, idempotent. Domain modules add to SEEDERS."""

import sqlalchemy as sa

from imatter_shared.web.auth import Principal

from .authz import Caller, forget_caller
from .extensions import db
from .models import Organisation, Person
from .services import certification, licences, memberships, organisations, people, price_book
from .services.reflective import load_samples

SEEDERS: list = []


def run_seed() -> None:
    for seeder in SEEDERS:
        seeder()
    db.session.commit()


# ---- the catalogue and the demo organisation --------------------------------------------------
# Demo data is made through the same service functions as real requests (domain row 113), so it
# obeys every rule: an organisation created by its (fictional) link contact, licences bought in
# order (Starter, then Enhanced once a practitioner is in training), members invited and
# accepting, pathway items booked and signed off, a package bought under the Enhanced Licence.
# Everything is clearly fictional: names say so, addresses are on the reserved .example domain,
# and the fictional accounts' user ids exist in no gateway, so nobody can sign in as them.

DEMO_ORG_NAME = "Fictional Willowbrook Demo School (not a real organisation)"
DEMO_ADMIN_EMAIL = "link.contact@willowbrook.example"
DEMO_LEAD_EMAIL = "demo.lead@willowbrook.example"
DEMO_LEARNER_EMAIL = "demo.learner@willowbrook.example"
DEMO_SIGN_OFF = "seed-demo-training-admin"  # the (fictional) training admin who signs items off


def seed_price_book() -> int:
    """Reference data: the price book with the catalogue (seeds' published prices, placeholders
    labelled), announced to cic-tracker as `training.package_types.published` when it is stored
    (`flask catalogue publish` announces it again). The version number."""
    return price_book.store_catalogue()


def _demo_principal(key: str, email: str, name: str):
    return Principal(user_id=f"seed-demo-{key}", email=email, name=name, email_verified=True)


def _demo_caller(principal):
    forget_caller()
    person = db.session.scalar(sa.select(Person).where(Person.user_id == principal.user_id))
    return Caller(principal, person)


def seed_demo_organisation() -> None:
    """A clearly fictional school created by its link contact, with a Starter Licence."""
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == DEMO_ORG_NAME)):
        return
    admin = _demo_principal("link-contact", DEMO_ADMIN_EMAIL, "Demo Link Contact (fictional)")
    people.claim_own_person(admin, kind="professional")
    org = organisations.create(
        {
            "name": DEMO_ORG_NAME,
            "kind": "school",
            "size_band": _demo_band(),
            "link_contact_email": DEMO_ADMIN_EMAIL,
            "senior_leadership_commitment": True,
        },
        admin,
    )
    licences.purchase(org, "starter", admin.user_id)
    db.session.flush()


def _demo_band() -> str:
    codes = price_book.size_band_codes()
    return "small" if "small" in codes else codes[0]


def _invite_and_accept(org, admin_caller, key: str, email: str, name: str) -> str:
    """The admin invites by email; the (fictional) person accepts: an active membership."""
    m = memberships.add_member(org, "staff", admin_caller, email=email)
    me = _demo_principal(key, email, name)
    memberships.accept(_demo_caller(me), m)
    return m.person_id


def seed_demo_lead() -> None:
    """A fictional Lead Practitioner in training at the demo school (Deep Dive and Lead training
    signed off, a Type 3 package bought under the Enhanced Licence; certification follows only when
    cic-tracker reports the practicum), and a fictional learner on the Informed pathway."""
    if db.session.scalar(sa.select(Person.id).where(Person.email == DEMO_LEAD_EMAIL)):
        return
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == DEMO_ORG_NAME))
    if org is None:
        return
    admin = _demo_caller(_demo_principal("link-contact", DEMO_ADMIN_EMAIL, "Demo Link Contact (fictional)"))
    lead = _invite_and_accept(org, admin, "lead", DEMO_LEAD_EMAIL, "Demo Lead Practitioner (fictional)")
    learner = _invite_and_accept(org, admin, "learner", DEMO_LEARNER_EMAIL, "Demo Learner (fictional)")
    for item in ("deep_dive", "lead_training"):
        booked = certification.book(
            lead, "lead", {"item": item, "organisation_id": org.id, "funding": "organisation"}, admin.user_id
        )
        certification.complete_item(booked.id, DEMO_SIGN_OFF)  # a course item: the item booked
    licences.purchase(org, "enhanced", admin.user_id)  # a Lead in training is in place now
    certification.book(
        lead,
        "lead",
        {"item": "package_type_3", "organisation_id": org.id, "funding": "organisation"},
        admin.user_id,
    )
    certification.book(
        learner,
        "informed",
        {"item": "study_support", "organisation_id": org.id, "funding": "organisation"},
        admin.user_id,
    )
    db.session.flush()


SEEDERS += [seed_price_book, seed_demo_organisation, seed_demo_lead]


def seed_reflective_samples() -> None:
    """SAMPLE informal Q and community audit content where none is loaded yet: without a current
    version both questionnaires refuse (409 `questionnaire_content`), so a seeded installation
    can be tried before an admin loads the real content."""
    load_samples()


SEEDERS.append(seed_reflective_samples)
