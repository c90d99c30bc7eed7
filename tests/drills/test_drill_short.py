"""The short reliability drill (issue 20), in every `make test`: one system of real processes on
PostgreSQL and RabbitMQ under a bounded mixed load, faults injected one after another, then the
invariants (tests/drills/checks.py). The full drill is `make drills` (docs/reliability.md).

The drill runs on its own PostgreSQL cluster and RabbitMQ node when it can (root), so the broker
stop and the database restart reach nobody else; otherwise on the machine's, in a fresh vhost,
without those two faults."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from drills import infra, scenario

pytestmark = pytest.mark.e2e


def test_short_drill_nothing_lost_or_doubled():
    if infra.private_possible() and shutil.which("rabbitmqctl") is None:
        pytest.skip(f"no private infrastructure ({infra.private_possible()}) and no rabbitmqctl for a vhost")
    started = time.monotonic()
    with scenario.infrastructure() as chosen, scenario.running_system(chosen) as stack:
        setup = time.monotonic() - started
        drill = scenario.Drill(stack)
        scenario.short(drill, private=isinstance(chosen, infra.Private))
        broken = drill.finish()
        summary = drill.summary()
    print(json.dumps({**summary, "setup_s": round(setup, 1), "wall_s": round(time.monotonic() - started, 1)}))
    assert summary["journeys"] >= 2 and summary["awards"] == 1, summary
    assert not broken, "\n".join(broken)
