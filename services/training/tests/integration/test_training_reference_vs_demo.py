"""Reference data apart from demo data: `flask catalogue load` (what production runs) stores the
catalogue and nothing fictional; `flask seed` refuses without `--demo`; `flask seed --demo` adds
the fictional school on top. Both are idempotent and announce the catalogue once."""

import sqlalchemy as sa

from training.models import Organisation, Person
from training.models.messaging import OutboxMessage
from training.models.price_book import PriceBookVersion


def _count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_catalogue_load_is_reference_data_only_and_idempotent(app, db):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["catalogue", "load"])
    assert out.exit_code == 0 and "catalogue loaded" in out.output, out.output
    assert _count(db, PriceBookVersion) == 1
    assert _count(db, Organisation) == 0 and _count(db, Person) == 0  # nothing fictional
    announced = _count(db, OutboxMessage, OutboxMessage.type == "training.package_types.published")
    assert announced == 1
    assert runner.invoke(args=["catalogue", "load"]).exit_code == 0
    assert _count(db, PriceBookVersion) == 1  # loading again stores and announces nothing new
    assert _count(db, OutboxMessage, OutboxMessage.type == "training.package_types.published") == announced


def test_seed_needs_demo_said_out_loud_and_then_adds_the_fictional_school(app, db):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["seed"])
    assert out.exit_code == 2 and "--demo" in out.output and "catalogue load" in out.output
    assert _count(db, PriceBookVersion) == 0  # a refused seed changes nothing
    out = runner.invoke(args=["seed", "--demo"])
    assert out.exit_code == 0, out.output
    [name] = db.session.scalars(sa.select(Organisation.name)).all()
    assert "Fictional" in name and "not a real organisation" in name
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    assert _count(db, Organisation) == 1  # idempotent
