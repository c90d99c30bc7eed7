"""One log line format for every process (imatter_shared.jsonlog, decision 0045): a web request's
lines, the events logger of relays and consumers, the email sender, gunicorn's own lines and the
lines written outside any app all carry the same keys, and an exception's message never."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from flask import Flask

from imatter_shared.jsonlog import JsonFormatter, configure_logging, gunicorn_logconfig
from imatter_shared.messaging.log import log as events_log
from imatter_shared.messaging.log import log_to_stderr
from imatter_shared.web.logging import init_request_logging

KEYS = {"timestamp", "level", "logger", "message", "service"}


@pytest.fixture
def lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


@pytest.fixture
def app():
    app = Flask("jsonlog_test")
    app.config.update(SERVICE_NAME="training", ACCESS_LOG=True)
    init_request_logging(app, "training")

    @app.get("/boom")
    def boom():
        secret = "secret case text CANARY-" + "JSONLOG"  # not in the source line the frame shows
        try:
            raise ValueError(secret)
        except ValueError:
            logging.getLogger("imatter.training.views").exception("view failed")
        events_log(logging.INFO, "event handled", event_id="e-1", type="cic.fund.awarded")
        return {"ok": True}

    return app


def test_a_requests_lines_share_one_format_and_its_request_id(app, lines):
    r = app.test_client().get("/boom", headers={"X-Request-ID": "req-12345678"})
    assert r.headers["X-Request-ID"] == "req-12345678"
    got = lines()
    by_message = {line["message"]: line for line in got}
    assert {"view failed", "event handled", "request"} <= set(by_message)
    for line in got:
        assert KEYS <= set(line), line
        assert line["service"] == "training" and line["request_id"] == "req-12345678"
        assert line["timestamp"].endswith("Z") and len(line["timestamp"]) == len("2026-11-29T12:00:00.123Z")
    assert by_message["event handled"]["event_id"] == "e-1"  # the events logger's fields
    assert by_message["request"]["status"] == 200 and by_message["request"]["path"] == "/boom"
    exc = by_message["view failed"]["exc"]
    assert "builtins.ValueError (message withheld)" in exc
    assert "CANARY-JSONLOG" not in json.dumps(got)


def test_lines_outside_an_app_name_the_process_service(lines):
    configure_logging("cic-tracker", level=None)  # the first service named keeps the process
    log_to_stderr()
    events_log(logging.WARNING, "relay round failed", error="KeyError at relay.py:1")
    logging.getLogger("imatter.notify").info("sent")
    got = lines()
    assert [line["message"] for line in got] == ["relay round failed", "sent"]
    for line in got:
        assert KEYS <= set(line) and "request_id" not in line
        assert line["service"]  # the process's service, whichever test named it first
    assert got[0]["error"] == "KeyError at relay.py:1" and got[0]["logger"] == "imatter.events"


def test_gunicorn_writes_the_same_lines_and_no_access_log_of_its_own():
    config = gunicorn_logconfig("gateway")
    assert config["root"]["handlers"] == []  # the app's configure_logging adds the one handler
    logging.config.dictConfig({k: v for k, v in config.items() if k != "root"})  # leave pytest's
    stream = io.StringIO()
    handler = logging.getLogger("gunicorn.error").handlers[0]
    handler.setStream(stream)
    logging.getLogger("gunicorn.error").info("Booting worker with pid: %s", 42)
    logging.getLogger("gunicorn.access").info("GET / 200")
    [line] = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert KEYS <= set(line)
    assert line["service"] == "gateway" and line["message"] == "Booting worker with pid: 42"
    assert not logging.getLogger("gunicorn.access").isEnabledFor(logging.INFO)
