"""`/metrics`: Prometheus text for every service (decision 0044).

What is counted as requests come in (every web process of the service writes its own share):

    imatter_http_requests_total{service, method, route, status}        counter
    imatter_http_request_duration_seconds{service, method, route}      histogram

`route` is the URL rule (`/api/v1/organisations/<org_id>`), never the path as sent, so an id in a
URL does not make a new series; the gateway's forwarded calls are `/api/v1/<segment>` with the
segment of its routing table. Probes and the scrape itself are not counted.

What is read from the service's own database (and its broker) when Prometheus scrapes:
web/metrics_state.py.

Several gunicorn workers: with PROMETHEUS_MULTIPROC_DIR set (imatter_shared.gunicorn_conf sets it
before the app is imported) each worker writes its counts to files in that directory and a
scrape, whichever worker answers it, adds up all of them. Without it (tests, `flask run`) the
counts live in the process.

Who may read it: METRICS_TOKEN set -> only `Authorization: Bearer <METRICS_TOKEN>` (401 else);
unset -> anyone when METRICS_OPEN (the default of training and cic-tracker, whose ports are never
public; set for the gateway by `make run` only), else nobody (404: the gateway's default, its port
is the public one). No rule by client address: behind a proxy on the same host (nginx, a sidecar)
every request comes from loopback, with or without X-Forwarded-For.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from .errors import problem
from .metrics_state import StateCollector

METRICS_PATH = "/metrics"
NOT_COUNTED = frozenset({METRICS_PATH, "/healthz", "/readyz"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# seconds: a catalogue read is ~1 ms, a purchase ~15 ms, the gateway's upstream timeout 30 s
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
EXTENSION_KEY = "imatter_metrics"

# no `_created` series beside each counter and histogram: they double the series for nothing
# Prometheus uses (a process-wide switch of prometheus_client; every service wants it off)
disable_created_metrics()


class RequestMetrics:
    """The request counter and latency histogram of one app (one per app, so that the apps of a
    test process do not share counts; in multiprocess mode the files hold them)."""

    def __init__(self, service: str):
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "imatter_http_requests",
            "HTTP requests answered, by route and status.",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "imatter_http_request_duration_seconds",
            "Time from the request's arrival to its response, by route.",
            ["service", "method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        # (method, route, status) -> the two labelled children: the same objects labels() returns
        # (the parent keeps them), so the counts are the same; routes are URL rules, a bounded set
        self._series: dict[tuple[str, str, int], tuple] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:  # labels() validates and locks on every call: once per series is enough
            series = (
                self.requests.labels(self.service, method, route, str(status)),
                self.duration.labels(self.service, method, route),
            )
            self._series[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def clear(self) -> None:
        """Forget every series (the counts start again from nothing)."""
        self.requests.clear()
        self.duration.clear()
        self._series.clear()


def route_of() -> str:
    """The route label: what a view named (g.metrics_route), else the URL rule, else `unmatched`."""
    named = g.get("metrics_route")
    if named:
        return named
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def init_metrics(app: Flask, db, service: str) -> None:
    metrics = RequestMetrics(service)
    state = StateCollector(app, db, service)
    app.extensions[EXTENSION_KEY] = metrics

    @app.after_request
    def _count(resp):
        if request.path not in NOT_COUNTED:
            started = g.get("started") or time.perf_counter()
            metrics.observe(request.method, route_of(), resp.status_code, time.perf_counter() - started)
        return resp

    bp = Blueprint("metrics", __name__)

    @bp.get(METRICS_PATH)
    def scrape():
        refused = _refusal()
        if refused is not None:
            return refused
        registry = metrics.registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # every worker's files, this one's included
        body = generate_latest(registry) + generate_latest(state.registry)
        return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    app.register_blueprint(bp)


def _refusal():
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return None
        return problem(
            401,
            "Metrics need the bearer token configured as METRICS_TOKEN.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    if current_app.config.get("METRICS_OPEN"):
        return None
    return problem(404, f"No page at {METRICS_PATH}.")
