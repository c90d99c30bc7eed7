"""The common application scaffolding: flask-smorest Api with problem+json errors,
400 (not 422) for invalid input, request size limit, health, logging, SQLite pragmas."""
from __future__ import annotations

import http

import sqlalchemy as sa
from flask import Flask
from flask_smorest import Api, Blueprint as SmorestBlueprint
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

from .errors import PROBLEM_MIME, register_error_handlers
from .health import health_blueprint
from .logging import init_request_logging


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

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

    def _register_error_handlers(self):
        # errors are registered app-wide by register_error_handlers (one place)
        pass

    def _register_responses(self):
        # smorest documents errors as its own application/json shape; ours are problem+json
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIME)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response (application/problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIME)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def init_service(app: Flask, db, service: str, title: str) -> Api:
    """Wire the common pieces into a service app. Returns the smorest Api to register blueprints on."""
    app.config.setdefault("SERVICE_NAME", service)
    app.config.setdefault("MAX_CONTENT_LENGTH", 256 * 1024)
    app.config.setdefault("API_TITLE", title)
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.json.sort_keys = False
    init_request_logging(app, service)
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)
    register_error_handlers(app)
    app.register_blueprint(health_blueprint(db))
    api = ProblemApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}}})
    app.extensions["imatter_api"] = api
    return api
