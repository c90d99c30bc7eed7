"""`flask worker`: a service's relay and consumer (and email sender, where wired) in one process,
as the Procfile runs them: events flow between two such processes exactly as between four
single-loop processes, and a signal stops every loop cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from imatter_events_helpers import wait_for
from imatter_events_testapp import create_app, new_key, subprocess_env

from imatter_shared.messaging import outbox


def start_worker(service, tmp_path, *options):
    log = open(tmp_path / f"{service.name}-worker.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "imatter_events_testapp:create_app", "worker", *options],
        env=subprocess_env(service),
        stdout=subprocess.DEVNULL,
        stderr=log,
        cwd=tmp_path,
    )
    return process, log


def json_lines(log) -> list[dict]:
    log.flush()
    with open(log.name) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


@pytest.mark.parametrize(
    "backend, transport_kind, signum",
    [("sqlite", "embedded", signal.SIGTERM), ("postgresql", "amqp", signal.SIGINT)],
)
def test_one_worker_per_service_relays_and_applies_events_and_stops_on_a_signal(
    make_pair, backend, transport_kind, signum, tmp_path
):
    pair = make_pair(transport_kind)
    training, cic = pair.training, pair.cic
    cic.consumer().declare()
    training.consumer().declare()
    key = new_key("pk")
    training.buy_package(key, tracker_uses=3)
    with training.app.app_context():
        outbox.add(
            training.db.session,
            training.Outbox,
            "training.licence.changed",
            {"organisation_id": "org-1", "licence_type": "cpd", "status": "active", "valid_until": None},
            producer="training",
        )
        training.db.session.commit()

    workers = [start_worker(training, tmp_path), start_worker(cic, tmp_path)]
    try:
        wait_for(lambda: cic.tallies() == {key: (1, 3)}, 30, "the event relayed and applied by the workers")
        for process, _ in workers:
            process.send_signal(signum)
        assert [process.wait(timeout=15) for process, _ in workers] == [0, 0]
    finally:
        for process, _ in workers:
            if process.poll() is None:
                process.kill()
                process.wait()

    training_lines, cic_lines = (json_lines(log) for _, log in workers)
    for lines in (training_lines, cic_lines):  # both loops ran in each process and both stopped
        messages = [line["message"] for line in lines]
        assert "relay started" in messages and "relay stopped" in messages, messages
        assert {"consumer started", "consumer connected"} & set(messages), messages  # embedded / amqp
    handled = [line for line in cic_lines if line["message"] == "event handled"]
    assert [h["type"] for h in handled] == ["training.package.purchased"]
    everything = "".join(json.dumps(line) for line in training_lines + cic_lines)
    for secret in ("org-1", key):  # payload values never reach the logs
        assert secret not in everything


def test_a_worker_with_nothing_to_run_refuses_to_start(make_pair, tmp_path, monkeypatch):
    pair = make_pair("embedded", backend="sqlite")
    monkeypatch.setenv("EVENTS_TEST_SERVICE", subprocess_env(pair.cic)["EVENTS_TEST_SERVICE"])
    result = create_app().test_cli_runner().invoke(args=["worker", "--no-relay", "--no-consume"])
    assert result.exit_code == 1 and "nothing to run" in result.output
