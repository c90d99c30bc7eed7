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


def seed_reflective_samples() -> None:
    """Issue 11: SAMPLE informal Q and community audit content where none is loaded yet."""
    from .services.reflective import load_samples
    load_samples()


SEEDERS.append(seed_reflective_samples)


# ---- people side (issue 5) ----------------------------------------------------------------------

DEMO_LEAD_EMAIL = "demo.lead@willowbrook.example"


def seed_demo_lead() -> None:
    """A clearly fictional Lead Practitioner of the demo school, certified through the normal rules
    (Deep Dive and Lead training completed, a Type 3 practicum completed) and opted into the
    public directory; plus a fictional Informed-Practitioner learner part way through."""
    import sqlalchemy as sa

    from imatter_shared.messaging import outbox

    from .models import Membership, Organisation, OutboxMessage, Package, PathwayItem, Person
    from .models.base import utcnow
    from .services import certification, directory

    if db.session.scalar(sa.select(Person.id).where(Person.email == DEMO_LEAD_EMAIL)):
        return
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == DEMO_ORG_NAME))
    if org is None:
        return
    lead = Person(name="Demo Lead Practitioner (fictional)", email=DEMO_LEAD_EMAIL, kind="professional",
                  created_by="seed-demo")
    learner = Person(name="Demo Learner (fictional)", email="demo.learner@willowbrook.example", kind="professional",
                     created_by="seed-demo")
    db.session.add_all([lead, learner])
    db.session.flush()
    # demo memberships are made active directly: the (fictional) demo people accepted their invitations
    db.session.add_all([Membership(organisation_id=org.id, person_id=p.id, role="staff", status="active",
                                   invited_by="seed-demo", responded_at=utcnow()) for p in (lead, learner)])
    for item, price in (("deep_dive", 75000), ("lead_training", 25000)):
        db.session.add(PathwayItem(person_id=lead.id, item=item, role="lead", organisation_id=org.id, price=price,
                                   state="completed", completed_at=utcnow(), booked_by="seed-demo"))
    pkg = Package(organisation_id=org.id, practitioner_id=lead.id, type=3, price=45000, funding="organisation",
                  tracker_uses=6, online_accounts=3, credits_left=2, cases_count=2, practicum_state="completed",
                  completed_at=utcnow(), created_by="seed-demo")
    db.session.add(pkg)
    db.session.add(PathwayItem(person_id=learner.id, item="study_support", role="informed", organisation_id=org.id,
                               price=25000, state="booked", booked_by="seed-demo"))
    db.session.flush()
    outbox.add(db.session, OutboxMessage, "training.package.purchased",
               {"package_id": pkg.id, "package_type": 3, "organisation_id": org.id, "practitioner_id": lead.id,
                "tracker_uses": 6, "online_accounts": 3}, producer="training")
    certification.certify_ready(lead.id)  # the rules certify (and announce) the Lead
    if directory.is_eligible(lead.id):
        directory.opt_in(lead, {"locality": "Fictional Valley", "summary": "Demo entry: not a real practitioner."})


SEEDERS += [seed_demo_lead]
