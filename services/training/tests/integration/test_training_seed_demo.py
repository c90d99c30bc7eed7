"""Domain row 113: `flask seed` makes its demo data through the same service functions as real
requests, so it obeys every rule; it is marked fictional and announces the package types."""

import json

import sqlalchemy as sa

from training.models import Licence, Membership, Organisation, OutboxMessage, Package, Person
from training.seed import DEMO_ORG_NAME, run_seed


def test_the_demo_data_obeys_the_rules_and_is_fictional(app, db):
    run_seed()
    run_seed()  # idempotent
    [org] = db.session.scalars(sa.select(Organisation).where(Organisation.name == DEMO_ORG_NAME)).all()
    assert "Fictional" in org.name
    from training.services.licences import status_of

    licences = {
        lic.type: status_of(lic)
        for lic in db.session.scalars(sa.select(Licence).where(Licence.organisation_id == org.id))
    }
    # the Type 3 package is sold only under the Enhanced Licence, bought after a Lead was in training
    assert licences.get("starter") == "active" and licences.get("enhanced") == "active"
    [pkg] = db.session.scalars(sa.select(Package).where(Package.organisation_id == org.id)).all()
    assert (pkg.type, pkg.price, pkg.tracker_uses, pkg.order_id is not None) == (3, 45000, 6, True)
    members = db.session.scalars(sa.select(Membership).where(Membership.organisation_id == org.id)).all()
    # the Lead and the learner were invited by the link contact and accepted (membership by consent)
    invited = [m for m in members if m.invited_by and m.responded_at]
    assert len(members) == 2 and len(invited) == 2 and all(m.status == "active" for m in members)
    people = db.session.scalars(sa.select(Person).where(Person.id.in_([m.person_id for m in members]))).all()
    assert all("fictional" in p.name.lower() and p.email.endswith(".example") for p in people)
    announced = [
        json.loads(r.payload)["data"]
        for r in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == "training.package_types.published")
        )
    ]
    assert announced and [p["tracker_uses_per_case"] for p in announced[-1]["package_types"]] == [1, 0, 2, 3]
