"""deploy/rabbitmq/setup-users.sh on the real RabbitMQ: each service's broker user can do exactly
what its relay and consumer do (through the platform's own AMQP transport) and nothing of the
other service's. Runs in a fresh vhost with uniquely named users, removed afterwards."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import uuid
from urllib.parse import quote

import pika
import pytest
from pika import exceptions as px

from imatter_shared.messaging.transports import Outcome, TransportUnavailable
from imatter_shared.messaging.transports.amqp import AmqpTransport
from support.testing import require_amqp, services_required

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "deploy", "rabbitmq", "setup-users.sh")
TRAINING_TYPES = ["cic.practicum.completed", "cic.fund.awarded"]  # what training consumes
CIC_TYPES = ["training.package.purchased", "training.licence.changed"]  # what the CIC consumes


def _unavailable(msg: str):
    if services_required():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def rabbitmqctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def broker(tmp_path):
    require_amqp()
    if shutil.which("rabbitmqctl") is None:
        _unavailable("rabbitmqctl is not installed here (it runs on a broker node)")
    probe = rabbitmqctl("list_vhosts")
    if probe.returncode != 0:
        _unavailable(f"rabbitmqctl cannot reach the broker: {probe.stderr.strip()[:200]}")
    suffix = uuid.uuid4().hex[:8]
    names = {
        "vhost": f"imatter-deploy-test-{suffix}",
        "training": f"training-{suffix}",
        "cic": f"cic-tracker-{suffix}",
    }
    (tmp_path / "cic_pw").write_text("cic-pw-" + suffix + "\n")
    env = {
        **os.environ,
        "RABBITMQ_VHOST": names["vhost"],
        "TRAINING_AMQP_USER": names["training"],
        "TRAINING_AMQP_PASSWORD": "training-pw-" + suffix,
        "CIC_AMQP_USER": names["cic"],
        "CIC_AMQP_PASSWORD_FILE": str(tmp_path / "cic_pw"),
    }
    names["env"] = env
    try:
        yield names
    finally:  # each rabbitmqctl starts an Erlang VM (about a second): the three at once
        cleanups = [
            subprocess.Popen(
                ["rabbitmqctl", "-q", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for args in (
                ("delete_vhost", names["vhost"]),
                ("delete_user", names["training"]),
                ("delete_user", names["cic"]),
            )
        ]
        for proc in cleanups:
            proc.wait(timeout=60)


def run_script(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", SCRIPT], env=env, capture_output=True, text=True, timeout=120)


def url(user: str, password: str, vhost: str) -> str:
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:5672/{quote(vhost, safe='')}"


def refused(action) -> bool:
    """True when the broker refuses the action with ACCESS_REFUSED (403)."""
    try:
        action()
    except (px.ChannelClosedByBroker, TransportUnavailable) as exc:
        return "403" in str(exc) or "ACCESS_REFUSED" in str(exc)
    return False


def raw_channel(amqp_url: str):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    return connection, connection.channel()


def test_each_service_user_does_its_own_job_and_nothing_of_the_others_also_after_a_rerun(broker):
    result = run_script(broker["env"])
    assert result.returncode == 0, result.stderr
    vhost, env = broker["vhost"], broker["env"]
    training_url = url(broker["training"], env["TRAINING_AMQP_PASSWORD"], vhost)
    cic_url = url(broker["cic"], open(env["CIC_AMQP_PASSWORD_FILE"]).read().strip(), vhost)
    training, cic = AmqpTransport(training_url), AmqpTransport(cic_url)
    try:
        # what each consumer does on start: declare its queue, dead-letter queue and bindings
        training.declare_queue("training.events", TRAINING_TYPES)
        cic.declare_queue("cic-tracker.events", CIC_TYPES)
        # what each relay does: publish its own events (mandatory: they reach the other's queue)
        training.publish("training.package.purchased", b'{"n": 1}', message_id="t-1")
        cic.publish("cic.practicum.completed", b'{"n": 2}', message_id="c-1")
        assert training.queue_counts("training.events").ready == 1
        assert cic.queue_counts("cic-tracker.events").ready == 1

        # the consumer takes its message off its own queue
        got: list[bytes] = []
        stop = threading.Event()

        def process(body: bytes, attempt: int) -> Outcome:
            got.append(body)
            stop.set()
            return Outcome.ack()

        training.consume("training.events", TRAINING_TYPES, process, stop, prefetch=10)
        assert got == [b'{"n": 2}']

        # a dead letter and its replay (`flask events replay-dead-letters`)
        cic.publish("cic.fund.awarded", b'{"n": 3}', message_id="c-2")
        connection, channel = raw_channel(training_url)
        try:
            method, _, _ = channel.basic_get("training.events", auto_ack=False)
            channel.basic_nack(method.delivery_tag, requeue=False)
        finally:
            connection.close()
        assert training.queue_counts("training.events").dead == 1
        assert training.replay_dead_letters("training.events") == 1
        assert training.queue_counts("training.events").ready == 1

        # and nothing of the other service's
        training.close()
        assert refused(lambda: training.publish("cic.practicum.completed", b"{}", message_id="forged"))
        training.close()
        assert refused(lambda: training.declare_queue("cic-tracker.events", CIC_TYPES))
        assert refused(lambda: training.declare_queue("training.events", ["training.package.purchased"])), (
            "training may bind only to the CIC's events"
        )
        assert refused(lambda: cic.declare_queue("cic-tracker.events", ["cic.fund.awarded"]))
        cic.close()
        assert refused(lambda: cic.publish("training.licence.changed", b"{}", message_id="forged"))
        connection, channel = raw_channel(training_url)
        try:
            assert refused(lambda: channel.basic_get("cic-tracker.events", auto_ack=True)), (
                "training must not read the CIC's queue"
            )
        finally:
            if connection.is_open:
                connection.close()
        connection, channel = raw_channel(training_url)
        try:
            assert refused(lambda: channel.queue_declare("anything-else", durable=True))
        finally:
            if connection.is_open:
                connection.close()
    finally:
        training.close()
        cic.close()

    # run again with a new training password (rotation): the old one stops working, the rest stays
    env2 = {**env, "TRAINING_AMQP_PASSWORD": "rotated-" + uuid.uuid4().hex[:8]}
    second = run_script(env2)
    assert second.returncode == 0, second.stderr
    with pytest.raises(px.ProbableAuthenticationError):
        pika.BlockingConnection(pika.URLParameters(training_url)).close()
    rotated = AmqpTransport(url(broker["training"], env2["TRAINING_AMQP_PASSWORD"], vhost))
    try:
        assert rotated.queue_counts("training.events").ready == 1
        rotated.declare_queue("training.events", TRAINING_TYPES)
        assert refused(lambda: rotated.declare_queue("cic-tracker.events", CIC_TYPES))
    finally:
        rotated.close()


def test_a_missing_password_stops_it_before_touching_the_broker(tmp_path):
    """RABBITMQCTL names a stand-in that records each call it gets: the script makes none."""
    calls = tmp_path / "calls"
    ctl = tmp_path / "rabbitmqctl"
    ctl.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n')
    ctl.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIC_AMQP_", "TRAINING_AMQP_"))}
    env.update(RABBITMQCTL=str(ctl), RABBITMQ_VHOST="imatter-deploy-test-never", TRAINING_AMQP_PASSWORD="pw")
    result = run_script(env)
    assert result.returncode == 2
    assert "CIC_AMQP_PASSWORD" in result.stderr
    assert not calls.exists(), calls.read_text()


# -- definitions.json: the queue policy (file checks, no broker) ---------------------------------


def _policy_settings_queues() -> dict[str, str]:
    """queue -> where, for every container (compose) or ConfigMap (k8s) that sets EVENTS_QUEUE_SETTINGS=policy."""
    import glob

    import yaml

    found = {}
    for path in glob.glob(os.path.join(REPO, "**", "docker-compose*.yml"), recursive=True) + glob.glob(
        os.path.join(REPO, "deploy", "k8s", "*.yaml")
    ):
        text = open(path, encoding="utf-8").read()
        for doc in yaml.safe_load_all(text):
            for block in _mappings(doc):
                if block.get("EVENTS_QUEUE_SETTINGS") == "policy":
                    queue = re.sub(r"\$\{[A-Z_]+:-([^}]+)\}", r"\1", str(block["EVENTS_QUEUE"]))
                    found[queue] = os.path.relpath(path, REPO)
    return found


def _mappings(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _mappings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _mappings(value)


def test_the_definitions_policy_covers_every_queue_that_relies_on_it_and_conflicts_with_no_argument():
    import json

    with open(os.path.join(REPO, "deploy", "rabbitmq", "definitions.json"), encoding="utf-8") as fh:
        definitions = json.load(fh)
    assert [v["name"] for v in definitions["vhosts"]] == ["imatter"]
    assert "users" not in definitions and "permissions" not in definitions, "passwords stay in setup-users.sh"
    queues = _policy_settings_queues()
    assert {"training.events", "cic-tracker.events"} <= set(queues), queues
    policy_mode = AmqpTransport("amqp://unused", "imatter.events", queue_settings="policy")
    for queue, where in queues.items():
        matching = [
            p
            for p in definitions["policies"]
            if p["vhost"] == "imatter"
            and p["apply-to"] in ("queues", "quorum_queues")
            and re.search(p["pattern"], queue)
        ]
        assert len(matching) == 1, f"{where}: {queue} is matched by {len(matching)} policies"
        definition = matching[0]["definition"]
        assert definition["delivery-limit"] >= 1
        assert (
            definition["dead-letter-strategy"] == "at-least-once"
            and definition["overflow"] == "reject-publish"
        )
        declared = {key.removeprefix("x-") for key in policy_mode.queue_arguments(queue)}
        assert not declared & set(definition), f"{queue}: the code declares {declared & set(definition)} too"
        assert not any(re.search(p["pattern"], f"{queue}.dead") for p in definitions["policies"]), (
            "the dead-letter queue keeps no delivery limit"
        )
