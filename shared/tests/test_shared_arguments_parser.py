"""`@blp.arguments(SchemaClass)`: the parser makes the schema once and loads every request with it
(it made one per request); each request still gets its own values and its own 400."""

from __future__ import annotations

import pytest
from flask import Flask
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import BadRequest

from imatter_shared.web.api import Parser


class Body(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    size = fields.Integer(load_default=1)


def _parse(parser: Parser, body):
    app = Flask(__name__)
    with app.test_request_context("/", method="POST", json=body):
        return parser.parse(Body, location="json")


def test_one_schema_per_class_and_each_request_its_own_values():
    parser = Parser()
    assert _parse(parser, {"name": "a"}) == {"name": "a", "size": 1}
    first = parser._schemas[Body]
    assert _parse(parser, {"name": "b", "size": 3}) == {"name": "b", "size": 3}
    assert parser._schemas[Body] is first and len(parser._schemas) == 1


def test_an_invalid_body_is_still_a_400_naming_the_field_after_a_valid_one():
    parser = Parser()
    _parse(parser, {"name": "a"})
    with pytest.raises(BadRequest) as err:
        _parse(parser, {"name": "", "size": "x"})
    assert set(err.value.data["messages"]["json"]) == {"name", "size"}
    assert _parse(parser, {"name": "c"}) == {"name": "c", "size": 1}
