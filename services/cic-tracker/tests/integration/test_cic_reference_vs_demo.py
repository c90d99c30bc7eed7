"""Reference data apart from demo data in cic-tracker: `flask catalogue load` (production) makes the
assessment areas and the current Fund round, and no demo hub; `flask seed` refuses without
`--demo`; `flask seed --demo` adds the fictional hub."""

import sqlalchemy as sa

from cic_tracker.models import FundRound, Hub
from cic_tracker.seed import DEMO_HUB


def test_catalogue_load_is_reference_data_only(app, db):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["catalogue", "load"])
    assert out.exit_code == 0 and "reference data loaded" in out.output, out.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundRound)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Hub)) == 0
    assert runner.invoke(args=["catalogue", "load"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundRound)) == 1


def test_seed_needs_demo_and_then_adds_the_fictional_hub(app, db):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["seed"])
    assert out.exit_code == 2 and "--demo" in out.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Hub)) == 0
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    assert db.session.scalars(sa.select(Hub.name)).all() == [DEMO_HUB]
