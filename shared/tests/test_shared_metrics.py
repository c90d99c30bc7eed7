"""/metrics on every service, scraped through the Flask test client and parsed with
prometheus_client's own parser: requests by route and status, latency histograms, the outbox,
email and queue gauges read at scrape time, who may read it, the gunicorn multiprocess mode, and
the Grafana dashboard and alert rules in deploy/ asking only for metrics that exist."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pika
import pytest
import sqlalchemy as sa
import yaml
from prometheus_client import values
from prometheus_client.parser import text_string_to_metric_families

from gateway.config import Config as gateway_config
from imatter_shared.messaging.runtime import EventsConfig, make_transport
from imatter_shared.messaging.transports import Outcome
from imatter_shared.timeutil import utcnow
from imatter_shared.web.metrics import EXTENSION_KEY
from support.testing import require_amqp, unique_exchange
from support.three_apps import three_apps
from training import create_app as training_app
from training.config import Config as training_config

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "deploy" / "grafana" / "imatter-services.json"
PROMETHEUS = REPO / "deploy" / "prometheus" / "prometheus.yml"
ALERTS = REPO / "deploy" / "prometheus" / "alerts.yml"
# What RabbitMQ's plugin answers on /metrics/detailed?family=queue_coarse_metrics (its metrics.md);
# no broker here runs the plugin, so the names are written down rather than scraped.
RABBITMQ_QUEUE_COARSE = {
    "rabbitmq_detailed_queue_messages_ready",
    "rabbitmq_detailed_queue_messages_unacked",
    "rabbitmq_detailed_queue_messages",
}


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    with three_apps("sqlite", tmp_path_factory.mktemp("metrics")) as apps:
        for app in apps.values():
            app.config["METRICS_BROKER_SECONDS"] = 0  # read the queue depths at every scrape
        # as `make run` opens it (the Procfile's METRICS_OPEN=1); closed by default (tests below)
        apps["gateway"].config["METRICS_OPEN"] = True
        yield apps


def scrape(app, **kw) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of one scrape."""
    r = app.test_client().get("/metrics", **kw)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.content_type.startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(r.get_data(as_text=True)):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def names(samples) -> set[str]:
    return {name for name, _ in samples}


# -- requests by route and status --------------------------------------------------------------

CALLS = {  # service -> (path, method, route label, status, service label)
    "training": ("/api/v1/catalogue/courses", "GET", "/api/v1/catalogue/courses", "200", "training"),
    # an id in the path is part of the rule, not of the label
    "cic": ("/api/v1/consultations/42", "GET", "/api/v1/consultations/<cid>", "401", "cic-tracker"),
    # the gateway labels a forwarded call by its routing segment; the upstream here is closed
    "gateway": ("/api/v1/catalogue/courses?x=1", "GET", "/api/v1/catalogue", "502", "gateway"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_requests_are_counted_by_route_and_status_with_their_latency(apps, name):
    app = apps[name]
    path, method, route, status, service = CALLS[name]
    client = app.test_client()
    before = scrape(app)
    for _ in range(3):
        assert client.open(path, method=method).status_code == int(status)
    client.get("/healthz")
    client.get("/readyz")
    client.get("/no/such/page/" + uuid.uuid4().hex)
    after = scrape(app)
    labels = {"service": service, "method": method, "route": route}
    total = "imatter_http_requests_total"
    assert value(after, total, **labels, status=status) - value(before, total, **labels, status=status) == 3
    count = "imatter_http_request_duration_seconds_count"
    assert value(after, count, **labels) - value(before, count, **labels) == 3
    inf = value(after, "imatter_http_request_duration_seconds_bucket", **labels, le="+Inf")
    assert inf == value(after, count, **labels)
    assert value(after, "imatter_http_request_duration_seconds_sum", **labels) > 0
    # an unknown path is one series, not one per path; probes and scrapes are not counted
    unmatched = {"service": service, "method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, total, **unmatched) - value(before, total, **unmatched) == 1
    routes = {dict(labels_)["route"] for n, labels_ in after if n == total}
    assert not routes & {"/healthz", "/readyz", "/metrics"}
    assert not [r for r in routes if "no/such" in r]


def test_a_method_nobody_uses_is_counted_as_other(apps):
    app = apps["training"]
    app.test_client().open("/api/v1/catalogue/courses", method="BREW")
    labels = {n: dict(lbl).get("method") for n, lbl in scrape(app) if n == "imatter_http_requests_total"}
    assert "other" in labels.values() and "BREW" not in labels.values()


# -- gauges read at scrape time ----------------------------------------------------------------


def test_the_outbox_gauges_follow_a_pending_event(apps):
    app = apps["training"]
    wiring = app.extensions["imatter_events"]
    Outbox, db = wiring.OutboxModel, wiring.db
    assert value(scrape(app), "imatter_outbox_pending", service="training") == 0
    with app.app_context():
        row = Outbox(
            event_id=str(uuid.uuid4()),
            type="training.licence.changed",
            payload="{}",
            created_at=utcnow() - timedelta(seconds=90),
        )
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    samples = scrape(app)
    assert value(samples, "imatter_outbox_pending", service="training") == 1
    assert 90 <= value(samples, "imatter_outbox_oldest_pending_age_seconds", service="training") < 300
    with app.app_context():
        db.session.get(Outbox, row_id).state = "published"
        db.session.commit()
    samples = scrape(app)
    assert value(samples, "imatter_outbox_pending", service="training") == 0
    assert value(samples, "imatter_outbox_oldest_pending_age_seconds", service="training") == 0


@pytest.mark.parametrize("name,service", [("gateway", "gateway"), ("cic", "cic-tracker")])
def test_the_email_gauges_follow_a_pending_email(apps, name, service):
    app = apps[name]
    notify = app.extensions["imatter_notify"]
    before = value(scrape(app), "imatter_emails_pending", service=service)
    with app.app_context():
        row = notify.Notification(
            kind="test",
            to_email="metrics@example.org",
            subject="s",
            text_body="t",
            html_body="h",
            created_at=utcnow() - timedelta(seconds=30),
        )
        notify.db.session.add(row)
        notify.db.session.commit()
        row_id = row.id
    samples = scrape(app)
    assert value(samples, "imatter_emails_pending", service=service) == before + 1
    assert value(samples, "imatter_emails_oldest_pending_age_seconds", service=service) >= 30
    with app.app_context():
        notify.db.session.delete(notify.db.session.get(notify.Notification, row_id))
        notify.db.session.commit()
    assert value(scrape(app), "imatter_emails_pending", service=service) == before


def test_consumer_lag_and_dead_letters_are_the_queue_depths(apps):
    app = apps["cic"]
    cfg = EventsConfig.from_mapping(app.config)
    labels = {"service": "cic-tracker", "queue": cfg.queue}
    before = scrape(app)
    assert value(before, "imatter_events_broker_up", service="cic-tracker") == 1
    transport = make_transport(cfg)
    try:
        transport.declare_queue(cfg.queue, ["training.package.purchased"])
        for _ in range(2):
            transport.publish_to_queue(cfg.queue, b"{}", message_id=str(uuid.uuid4()))
        samples = scrape(app)
        ready = value(samples, "imatter_events_queue_ready", **labels)
        assert ready - value(before, "imatter_events_queue_ready", **labels) == 2
        [(message_id, _, _)] = transport.claim(cfg.queue, "metrics-test", 1)
        transport.settle(message_id, "metrics-test", Outcome.dead("test: cannot apply"))
        samples = scrape(app)
        assert value(samples, "imatter_events_queue_ready", **labels) == ready - 1
        assert value(samples, "imatter_events_dead_letters", **labels) == 1
    finally:
        transport.close()


def test_an_unreadable_database_is_a_gauge_not_an_error(apps):
    """As before `flask db upgrade` (or while the database is away): the scrape still answers."""
    app = apps["gateway"]
    db = app.extensions["sqlalchemy"]
    table = app.extensions["imatter_notify"].Notification.__tablename__
    with app.app_context():
        db.session.execute(sa.text(f"ALTER TABLE {table} RENAME TO {table}_away"))
        db.session.commit()
    try:
        samples = scrape(app)
        assert value(samples, "imatter_database_up", service="gateway") == 0
        assert "imatter_emails_pending" not in names(samples)
    finally:
        with app.app_context():
            db.session.execute(sa.text(f"ALTER TABLE {table}_away RENAME TO {table}"))
            db.session.commit()
    assert value(scrape(app), "imatter_database_up", service="gateway") == 1


# -- who may read it ---------------------------------------------------------------------------


def test_the_services_serve_metrics_to_their_private_network(apps):
    for name in ("training", "cic"):
        r = apps[name].test_client().get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert r.status_code == 200


def test_the_gateways_public_port_is_closed_without_a_token_even_to_loopback(apps, monkeypatch):
    """A proxy on the gateway's own host (nginx by default, a sidecar) adds no X-Forwarded-For:
    every request it passes on comes from loopback, so no rule by address can tell it apart."""
    monkeypatch.delenv("METRICS_OPEN", raising=False)
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    assert gateway_config().METRICS_OPEN is False  # the gateway's default: closed
    assert training_config().METRICS_OPEN is True  # an internal port: open
    gateway = apps["gateway"]
    monkeypatch.setitem(gateway.config, "METRICS_OPEN", False)
    client = gateway.test_client()
    for kw in (
        {},  # the test client is 127.0.0.1: a same-host proxy that adds no header looks the same
        {"headers": {"X-Forwarded-For": "203.0.113.9"}},
        {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}},
    ):
        r = client.get("/metrics", **kw)
        assert r.status_code == 404 and b"imatter_" not in r.data
        assert r.content_type == "application/problem+json"
    # and it never forwards another service's metrics
    assert client.get("/api/v1/metrics").status_code == 404


def test_the_gateway_opened_for_development_answers_anyone(apps, monkeypatch):
    """`make run` (the Procfile's METRICS_OPEN=1): a development machine, nothing public."""
    monkeypatch.setitem(apps["gateway"].config, "METRICS_OPEN", True)
    r = apps["gateway"].test_client().get("/metrics")
    assert r.status_code == 200 and b"imatter_http_requests_total" in r.data
    procfile = (REPO / "Procfile").read_text(encoding="utf-8")
    [gateway_line] = [line for line in procfile.splitlines() if line.startswith("gateway:")]
    assert "METRICS_OPEN=${METRICS_OPEN:-1} " in gateway_line


@pytest.mark.parametrize("name", ["gateway", "training"])
def test_with_metrics_token_only_its_bearer_reads(apps, name, monkeypatch):
    app = apps[name]
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-metrics-token")
    client = app.test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-metrics-token"}):
        r = client.get("/metrics", headers=headers)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
        assert r.content_type == "application/problem+json"
    ok = client.get(
        "/metrics",
        headers={"Authorization": "Bearer s3cret-metrics-token"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert ok.status_code == 200 and b"imatter_http_requests_total" in ok.data


# -- several gunicorn workers ------------------------------------------------------------------


def test_multiprocess_mode_adds_up_every_workers_counts(apps, tmp_path, monkeypatch):
    """What gunicorn_conf sets up, in this process: each 'worker' (a pid) writes its own file;
    a scrape answered by any of them reports the sum."""
    app = apps["training"]
    metrics = app.extensions[EXTENSION_KEY]
    pid = {"value": 101}
    metrics.clear()  # series made from now on are bound to the files of this test
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue(lambda: pid["value"]))
    try:
        client = app.test_client()
        client.get("/api/v1/catalogue/courses")
        pid["value"] = 102
        client.get("/api/v1/catalogue/courses")
        client.get("/api/v1/catalogue/courses")
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "counter_101.db",
            "counter_102.db",
            "histogram_101.db",
            "histogram_102.db",
        ]
        samples = scrape(app)
        labels = {"service": "training", "method": "GET", "route": "/api/v1/catalogue/courses"}
        assert value(samples, "imatter_http_requests_total", **labels, status="200") == 3
        assert value(samples, "imatter_http_request_duration_seconds_count", **labels) == 3
        assert value(samples, "imatter_outbox_pending", service="training") == 0  # read at scrape
    finally:
        monkeypatch.undo()
        metrics.clear()  # forget the series bound to the files of this test


def test_gunicorn_conf_gives_each_master_an_empty_metrics_dir_and_json_logs(tmp_path):
    stale = tmp_path / "prometheus" / "gunicorn-999999999"
    stale.mkdir(parents=True)
    (stale / "counter_1.db").write_bytes(b"old")
    code = (
        "import json, os, sys; sys.argv = ['gunicorn', 'cic_tracker:create_app()'];"
        "import imatter_shared.gunicorn_conf as c;"
        "print(json.dumps([c.METRICS_DIR, os.environ['PROMETHEUS_MULTIPROC_DIR'], c.SERVICE,"
        " c.logconfig_dict['formatters']['json'], os.listdir(c.METRICS_DIR),"
        f" os.path.exists({str(stale)!r})]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env["IMATTER_VAR_DIR"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    made, exported, service, formatter, files, stale_left = json.loads(out.stdout)
    assert made == exported and made.startswith(str(tmp_path / "prometheus" / "gunicorn-"))
    assert service == "cic-tracker" and formatter["service"] == "cic-tracker"
    assert formatter["()"] == "imatter_shared.jsonlog.JsonFormatter"
    assert files == [] and not stale_left  # a dead master's counts are gone


# -- the dashboard and the alerts ask for what exists ------------------------------------------

PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless"}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (not functions, labels, strings or numbers)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # grouping labels
    found = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        rest = expr[m.end() :].lstrip()
        if rest.startswith("(") or m.group() in PROMQL_WORDS:
            continue
        found.add(m.group())
    return found


def test_the_name_reader_sees_names_and_skips_the_rest():
    expr = 'histogram_quantile(0.95, sum by (le, route) (rate(a_b_bucket{x="y z"}[5m]))) / on (s) c > 0'
    assert metric_names(expr) == {"a_b_bucket", "c"}


def dashboard_exprs() -> list[str]:
    doc = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [t["expr"] for p in doc["panels"] for t in p.get("targets", [])]


def test_the_dashboard_and_alerts_read_only_metrics_the_services_expose(apps):
    for app in apps.values():  # every histogram and gauge has a sample once a request is made
        app.test_client().get("/api/v1/catalogue/courses")
    exposed = set().union(*(names(scrape(app)) for app in apps.values()))
    assert {"imatter_events_dead_letters", "imatter_emails_pending", "imatter_outbox_pending"} <= exposed
    exprs = dashboard_exprs()
    rules = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    exprs += [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    asked = set().union(*(metric_names(e) for e in exprs))
    unknown = sorted(asked - exposed - RABBITMQ_QUEUE_COARSE)
    assert not unknown, f"the dashboard or alerts ask for metrics nothing exposes: {unknown}"
    # what the issue asks to see is on the dashboard
    on_dashboard = set().union(*(metric_names(e) for e in dashboard_exprs()))
    assert {
        "imatter_http_requests_total",
        "imatter_http_request_duration_seconds_bucket",
        "imatter_outbox_pending",
        "imatter_outbox_oldest_pending_age_seconds",
        "imatter_events_queue_ready",
        "imatter_events_dead_letters",
        "imatter_emails_pending",
        "rabbitmq_detailed_queue_messages_ready",
    } <= on_dashboard


def test_the_scrape_config_reaches_every_service_and_the_broker_queue_family():
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {t for job in jobs.values() for sc in job["static_configs"] for t in sc["targets"]}
    assert {"training:8000", "cic-tracker:8000", "gateway:8000", "rabbitmq:15692"} <= targets
    assert jobs["imatter-gateway"]["authorization"]["type"] == "Bearer"  # its port is public
    queues = [j for j in jobs.values() if j.get("metrics_path") == "/metrics/detailed"]
    assert queues and queues[0]["params"]["family"] == ["queue_coarse_metrics"]
    assert (PROMETHEUS.parent / config["rule_files"][0]).exists()


def test_the_queue_gauges_read_the_real_broker(tmp_path):
    """With AMQP_URL the depths come from RabbitMQ itself: the service's queue and its `.dead`."""
    url = require_amqp()
    exchange = unique_exchange()
    queue = exchange + ".training"
    app = training_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/training.db",
            "AMQP_URL": url,
            "EVENTS_EXCHANGE": exchange,
            "EVENTS_QUEUE": queue,
            "METRICS_BROKER_SECONDS": 0,
        }
    )
    with app.app_context():
        app.extensions["sqlalchemy"].create_all()
    transport = make_transport(EventsConfig.from_mapping(app.config))
    labels = {"service": "training", "queue": queue}
    try:
        assert "imatter_events_queue_ready" not in names(scrape(app))  # no queue yet: no sample
        transport.declare_queue(queue, ["cic.fund.awarded"])
        connection = pika.BlockingConnection(pika.URLParameters(url))
        try:
            channel = connection.channel()
            channel.confirm_delivery()  # each publish is in the queue when it returns
            for target in (queue, queue, queue, queue + ".dead"):
                channel.basic_publish("", target, b"{}")
        finally:
            connection.close()
        samples = scrape(app)
        assert value(samples, "imatter_events_broker_up", service="training") == 1
        assert value(samples, "imatter_events_queue_ready", **labels) == 3
        assert value(samples, "imatter_events_dead_letters", **labels) == 1
    finally:
        transport.delete_topology(queue)
        transport.close()
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
