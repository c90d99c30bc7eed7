"""The common application scaffolding: flask-smorest Api with problem+json errors,
400 (not 422) for invalid input, request size limit, health, logging, metrics, SQLite pragmas."""

from __future__ import annotations

import http
import json
import re

import sqlalchemy as sa
from flask import Flask, abort, current_app, request
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy.exc import DBAPIError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

from imatter_shared import sqlite_writers
from imatter_shared.config import DEFAULT_MAX_CONTENT_LENGTH, secure_sqlite_file

from .errors import PROBLEM_MIME, handle_http_exception, problem, register_error_handlers
from .health import health_blueprint
from .logging import init_request_logging
from .metrics import init_metrics
from .openapi_conventions import BEARER, OperationConventions


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[type, Schema] = {}

    def _get_schema(self, argmap, req):
        """One instance per schema class, made on first use: webargs made one per request from the
        class `@blp.arguments` names (a marshmallow 4 schema keeps no state between loads)."""
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        exc = BadRequest("The request body is not valid JSON.")
        exc.data = {"messages": {"json": {"body": ["Malformed JSON: " + str(error).split(":")[0] + "."]}}}
        raise exc


class Blueprint(SmorestBlueprint):
    """flask-smorest blueprint whose argument errors are 400 problem+json."""

    ARGUMENTS_PARSER = Parser()


class ProblemSchema(Schema):
    """What every error body is (errors.py), so the OpenAPI document tells the truth."""

    class Meta:
        unknown = INCLUDE  # a problem may carry extra members (e.g. `service`)

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    unmet = fields.List(fields.String())


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        # flask-smorest registers this (its public hook) for every HTTPException: answer with the
        # one problem+json mapping that register_error_handlers installs for the rest
        return handle_http_exception(error)

    def _register_responses(self):
        # smorest documents errors as application/json, and flask-smorest 0.47 has no public
        # setting for the error responses' media type alone (DEFAULT_RESPONSE_CONTENT_TYPE is
        # every response's): this private hook is the only place to say problem+json.
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIME)
            self.spec.components.response(status.name, response, lazy=True)
        response = {
            "description": "Default error response (application/problem+json)",
            "schema": self.ERROR_SCHEMA,
        }
        prepare_response(response, self.spec, PROBLEM_MIME)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


# ---- what no service accepts from a client (security review L4) -------------------------------
# Checked once per request, before any view or the gateway's proxy runs: a JSON body nested deeper
# than MAX_JSON_DEPTH (the parser would recurse until RecursionError), and a NUL byte or a lone
# UTF-16 surrogate in any JSON string or key, query parameter or path (PostgreSQL refuses NUL in
# text, and no encoder can write a lone surrogate). Each is 400 problem+json naming the field.

MAX_JSON_DEPTH = 32
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def _bad_text(value: str) -> str | None:
    m = _BAD_CHARS.search(value)
    if m is None:
        return None
    return (
        "May not contain a NUL character."
        if m.group() == "\x00"
        else "Not valid text: contains a lone UTF-16 surrogate."
    )


def _refuse(field: str, message: str, detail: str | None = None):
    abort(problem(400, detail or f"Invalid input. {field}: {message}", errors={field: [message]}))


def _check_json(value, max_depth: int) -> None:
    """Walk a parsed JSON document without recursion: depth, then every string and key."""
    stack = [(value, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            msg = _bad_text(node)
            if msg:
                _refuse(path or "body", msg)
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth > max_depth:
            _refuse(path.split(".")[0] or "body", f"Nested deeper than {max_depth} levels.")
        if isinstance(node, dict):
            for k, v in node.items():
                name = f"{path}.{k}" if path else str(k)
                msg = _bad_text(k)
                if msg:
                    _refuse(path or "body", "A field name " + msg[0].lower() + msg[1:])
                stack.append((v, name, depth + 1))
        else:
            for i, v in enumerate(node):
                stack.append((v, f"{path}.{i}" if path else str(i), depth + 1))


def check_client_input() -> None:
    """before_request: refuse what no service can store or parse safely (400 naming the field)."""
    msg = _bad_text(request.path)
    if msg:
        _refuse("path", msg)
    environ = request.environ
    if environ.get("QUERY_STRING"):  # else no arguments to look at (request.args parses it)
        for key, value in request.args.items(multi=True):
            msg = _bad_text(key) or _bad_text(value)
            if msg:
                _refuse(key if not _bad_text(key) else "query", msg)
    if not environ.get("CONTENT_TYPE") or not request.is_json:  # no Content-Type: not JSON
        return
    data = request.get_data(cache=True)
    if not data:
        return
    try:
        doc = json.loads(data)
    except RecursionError:
        _refuse("body", f"Nested deeper than {MAX_JSON_DEPTH} levels.", "The JSON body is nested too deeply.")
    except ValueError:  # malformed JSON: the argument parser answers it with its own 400
        return
    _check_json(doc, int(current_app.config.get("MAX_JSON_DEPTH", MAX_JSON_DEPTH)))


# ---- responses that must not be cached (security review L11) ----------------------------------
# A response to a request that carries a token, and every answer of the gateway's account
# endpoints (tokens, the user's own details), says Cache-Control: no-store. Public reads
# (catalogue, directory) made without a token stay cacheable. Every response says nosniff.
NO_STORE_PREFIXES = ("/api/v1/auth", "/api/v1/me")


def cache_headers(resp):
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    path = request.path
    if (
        request.environ.get("HTTP_AUTHORIZATION")  # request.headers.get("Authorization"), directly
        or path == "/api/v1/me"
        or any(path == p or path.startswith(p + "/") for p in NO_STORE_PREFIXES)
    ):
        if "no-store" not in (resp.headers.get("Cache-Control") or ""):
            resp.headers["Cache-Control"] = "no-store"
        resp.headers.setdefault("Pragma", "no-cache")
    return resp


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _session_closer(db):
    """Close the request's session; if its connection died under it (a database restart: the
    ROLLBACK of the close fails), drop the connection instead of turning the finished answer into
    a 500 (found by the reliability drill, docs/reliability.md)."""

    def close(_exc) -> None:
        try:
            db.session.remove()
        except DBAPIError:
            db.session().invalidate()  # closes without a ROLLBACK; the pool discards the connection
            db.session.remove()

    return close


def init_service(app: Flask, db, service: str, title: str) -> Api:
    """Wire the common pieces into a service app. Returns the smorest Api to register blueprints on."""
    app.config.setdefault("SERVICE_NAME", service)
    app.config.setdefault("MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH)
    app.config.setdefault("API_TITLE", title)
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.json.sort_keys = False
    init_request_logging(app, service)
    init_metrics(app, db, service)  # /metrics: requests by route and status, outbox, email, queues
    app.before_request(check_client_input)
    app.after_request(cache_headers)
    # whatever a caller's config says, database errors never carry bound values (M6)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}),
        "hide_parameters": True,
    }
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # a SQLite file has no server that could have dropped the connection: the pre-ping would
        # be one more execute on every request's checkout, for nothing (docs/performance.md 1c)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] = False
        # writers queue for the file instead of polling in SQLite's busy handler (decision 0070)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite_writers.engine_options(
            app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        )
    secure_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])  # 0600 before the first connection (L12)
    db.init_app(app)
    app.teardown_appcontext(_session_closer(db))  # runs before Flask-SQLAlchemy's own (reverse order)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)
    register_error_handlers(app)
    app.register_blueprint(health_blueprint(db))
    api = ProblemApi(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
            },
            "security": BEARER,  # every operation needs a token unless it says `security: []`
            "extra_plugins": [OperationConventions(app, service)],  # operationId, security, error responses
        },
    )
    app.extensions["imatter_api"] = api
    return api
