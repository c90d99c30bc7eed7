"""`flask events ...`: status, relay --once, replay (see test_messaging_delivery), and the
long-running commands stopping cleanly on SIGTERM/SIGINT with JSON logs free of payloads."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import UTC

import pytest
from imatter_events_helpers import running, wait_for
from imatter_events_testapp import make_service, new_key, subprocess_env

from imatter_shared.messaging import outbox


def flask_events(service, *args):
    result = service.app.test_cli_runner().invoke(args=["events", *args])
    return result


@pytest.mark.parametrize("backend, transport_kind", [("sqlite", "embedded"), ("postgresql", "amqp")])
def test_status_reports_outbox_backlog_and_dead_letters(make_pair, backend, transport_kind):
    pair = make_pair(transport_kind)
    training = pair.training
    consumer = training.consumer()
    consumer.declare()
    for _ in range(2):
        pair.cic.complete_practicum(new_key("mp"))
    training.buy_package(new_key("pk"))
    training.buy_package(new_key("pk"))
    publisher = pair.cic.relay().transport
    publisher.publish("cic.practicum.completed", b"garbage", message_id="garbage")
    publisher.close()
    with running(consumer.run_forever):
        wait_for(lambda: consumer.transport.queue_counts(consumer.queue).dead == 1, 30, "one dead letter")

    result = flask_events(training, "status", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["outbox_pending"] == 2 and report["outbox_oldest_pending_age_s"] >= 0
    assert (report["queue"], report["queue_ready"], report["dead_letters"]) == (consumer.queue, 0, 1)

    text = flask_events(training, "status").output
    assert "outbox pending: 2 (oldest" in text and f"dead letters ({consumer.queue}.dead): 1" in text

    result = flask_events(training, "relay", "--once")
    assert result.exit_code == 0 and "published 0, refused 2" in result.output  # cic's queue not declared yet
    pair.cic.consumer().declare()
    wait_for(
        lambda: "published 2" in flask_events(training, "relay", "--once").output,
        30,
        "the retry after backoff",
    )
    assert json.loads(flask_events(training, "status", "--json").output)["outbox_pending"] == 0


def test_status_exits_1_when_the_broker_is_unreachable(tmp_path):
    service = make_service(
        "training", f"sqlite:///{tmp_path}/t.db", {"AMQP_URL": "amqp://guest:guest@127.0.0.1:1/%2F"}
    )
    result = flask_events(service, "status")
    assert result.exit_code == 1
    assert "outbox pending: 0" in result.output and "unknown (broker unreachable)" in result.output
    service.drop()


def test_commands_refuse_to_guess_a_queue_without_service_name(tmp_path):
    service = make_service(
        "training", f"sqlite:///{tmp_path}/t.db", {"EVENTS_EMBEDDED_PATH": str(tmp_path / "e.db")}
    )
    service.app.config.update(SERVICE_NAME=None, EVENTS_QUEUE=None)
    result = flask_events(service, "replay-dead-letters")
    assert result.exit_code != 0 and "SERVICE_NAME" in result.output
    service.drop()


def test_register_event_cli_rejects_handlers_for_unknown_types(tmp_path):
    service = make_service("training", f"sqlite:///{tmp_path}/t.db")
    from flask import Flask

    from imatter_shared.messaging.cli import register_event_cli

    with pytest.raises(ValueError, match="cic.nothing"):
        register_event_cli(Flask("x"), service.db, service.Outbox, service.Inbox, {"cic.nothing": print})
    service.drop()


def start(service, command, tmp_path):
    log = open(tmp_path / f"{command}.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "imatter_events_testapp:create_app", "events", command],
        env=subprocess_env(service),
        stdout=subprocess.DEVNULL,
        stderr=log,
        cwd=tmp_path,
    )
    return process, log


def read(log) -> str:
    log.flush()
    with open(log.name) as f:
        return f.read()


@pytest.mark.parametrize(
    "backend, transport_kind, signum",
    [("sqlite", "embedded", signal.SIGINT), ("sqlite", "amqp", signal.SIGTERM)],
)
def test_relay_and_consumer_processes_stop_cleanly_on_signals(
    make_pair, backend, transport_kind, signum, tmp_path
):
    pair = make_pair(transport_kind)
    training, cic = pair.training, pair.cic
    cic.consumer().declare()
    key = new_key("pk")
    training.buy_package(key, tracker_uses=3)
    with training.app.app_context():  # nobody consumes this one: the broker returns it, unroutable
        outbox.add(
            training.db.session,
            training.Outbox,
            "training.licence.changed",
            {"organisation_id": "org-1", "licence_type": "cpd", "status": "active", "valid_until": None},
            producer="training",
        )
        training.db.session.commit()

    relay, relay_log = start(training, "relay", tmp_path)
    consumer, consumer_log = start(cic, "consume", tmp_path)
    try:
        wait_for(lambda: cic.tallies() == {key: (1, 3)}, 30, "the event relayed and applied by the processes")
        for process in (relay, consumer):
            process.send_signal(signum)
        assert relay.wait(timeout=15) == 0
        assert consumer.wait(timeout=15) == 0
    finally:
        for process in (relay, consumer):
            if process.poll() is None:
                process.kill()
                process.wait()

    relay_lines = [json.loads(line) for line in read(relay_log).splitlines() if line.startswith("{")]
    consumer_lines = [json.loads(line) for line in read(consumer_log).splitlines() if line.startswith("{")]
    assert relay_lines[-1]["message"] == "relay stopped"
    assert any(line["message"] == "publish refused; will retry" for line in relay_lines)
    handled = [line for line in consumer_lines if line["message"] == "event handled"]
    assert [(h["type"], h["queue"]) for h in handled] == [
        ("training.package.purchased", cic.app.config["EVENTS_QUEUE"])
    ]
    everything = read(relay_log) + read(consumer_log)
    assert "body_prefix" not in everything  # pika's log of a returned message body is filtered
    for secret in ("org-1", "person-1", key):  # payload values never reach the logs
        assert secret not in everything


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_prune_removes_only_old_published_rows_and_old_inbox_records(make_pair, backend):
    from datetime import datetime, timedelta

    import sqlalchemy as sa

    training = make_pair("embedded").training
    old_published, recent_published, old_pending = (training.buy_package(new_key("pk")) for _ in range(3))
    long_ago = datetime.now(UTC) - timedelta(days=120)
    with training.app.app_context():
        session, Outbox, Inbox = training.db.session, training.Outbox, training.Inbox
        session.execute(
            sa.update(Outbox)
            .where(Outbox.event_id == old_published)
            .values(state="published", published_at=long_ago)
        )
        session.execute(
            sa.update(Outbox)
            .where(Outbox.event_id == recent_published)
            .values(state="published", published_at=datetime.now(UTC))
        )
        session.execute(sa.update(Outbox).where(Outbox.event_id == old_pending).values(created_at=long_ago))
        session.add_all(
            [
                Inbox(event_id=new_key("old"), type="cic.practicum.completed", received_at=long_ago),
                Inbox(event_id=new_key("new"), type="cic.practicum.completed"),
            ]
        )
        session.commit()

    result = flask_events(training, "prune", "--days", "90")
    assert result.exit_code == 0, result.output
    assert "pruned 1 published outbox row(s) and 1 inbox record(s)" in result.output
    remaining = {row.event_id for row in training.outbox_rows()}
    assert remaining == {recent_published, old_pending}  # a pending row is never pruned, however old
    assert training.count(training.Inbox) == 1
    assert flask_events(training, "prune", "--days", "3").exit_code != 0  # too short a window is refused
