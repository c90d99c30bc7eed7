"""Schemathesis against every service's OpenAPI document (WSGI, in process): generated
requests, anonymous and signed in, must never get a server error, and every documented
response must match its documented schema. Bounded examples keep the whole run short."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from support import testing as t

KEYS = t.KeyPair()
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance]
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
# made at import, used until the end of a long `make test`: a lifetime beyond the whole run
STAFF = KEYS.headers(
    user_id="fuzz-staff",
    email="fuzz-staff@example.org",
    roles=["training_admin", "cic_staff", "fund_reviewer", "learner"],
    ttl=6 * 3600,
)
LEARNER = KEYS.headers(
    user_id="fuzz-learner", email="fuzz-learner@example.org", roles=["learner"], ttl=6 * 3600
)


def _service_app(factory, tmp, seed=None):
    app = factory(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp / "svc.db"),
            "JWT_PUBLIC_KEY": KEYS.public,
            "EVENTS_EMBEDDED_PATH": str(tmp / "events.db"),
            "ACCESS_LOG": False,
            # the payment webhook answers 503 without a secret: configure one so the fuzzer
            # reaches the signature check (every unsigned request -> 401, never a 5xx)
            "PAYMENT_WEBHOOK_SECRET": "fuzz-webhook-secret",
        }
    )
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        db.create_all()
        if seed:
            seed()
        db.session.remove()
    return app


@pytest.fixture(scope="module")
def training_schema(tmp_path_factory):
    from training import create_app
    from training.seed import run_seed

    app = _service_app(create_app, tmp_path_factory.mktemp("training"), run_seed)
    # signed learning-platform completions answer 503 by design while no secret is configured
    app.config["LEARNING_PLATFORM_SECRET"] = "fuzz-learning-platform-secret"
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


@pytest.fixture(scope="module")
def cic_schema(tmp_path_factory):
    from cic_tracker import create_app
    from cic_tracker.seed import run_seed

    app = _service_app(create_app, tmp_path_factory.mktemp("cic"), run_seed)
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


@pytest.fixture(scope="module")
def gateway_schema(tmp_path_factory):
    from gateway import create_app

    tmp = tmp_path_factory.mktemp("gateway")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp / "gw.db"),
            "JWT_PRIVATE_KEY_FILE": str(tmp / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(tmp / "public.pem"),
            "TRAINING_URL": "http://127.0.0.1:9",
            "CIC_URL": "http://127.0.0.1:9",
            "ACCESS_LOG": False,
        }
    )
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        db.create_all()
        db.session.remove()
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def _summary(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None)
    text = "; ".join(_summary(e) for e in inner) if inner else f"{type(exc).__name__}: {exc}"
    return text[:1200]


def run_operations(schema, header_sets) -> None:
    """Every operation of the document, each with EXAMPLES generated requests per header set;
    collects every failing operation (not just the first) into one assertion."""
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @SETTINGS
        @given(case=operation.as_strategy())
        def run(case):
            for headers in header_sets:
                case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # keep going: report every failing operation
            failures.append(f"{operation.label}: {_summary(exc)}")
    assert operations > 0
    assert not failures, f"{len(failures)} of {operations} operations failed:\n\n" + "\n\n".join(failures)


def test_training_api(training_schema):
    run_operations(training_schema, [STAFF, LEARNER, {}])


def test_cic_api(cic_schema):
    run_operations(cic_schema, [STAFF, LEARNER, {}])


def test_gateway_api(gateway_schema):
    run_operations(gateway_schema, [{}])
