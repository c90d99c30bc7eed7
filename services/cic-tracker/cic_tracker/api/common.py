"""Shared bits of the API modules: paging arguments and the no-store header for case data."""
from marshmallow import Schema, fields, validate


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def no_store(response):
    """Case data must never sit in a browser or proxy cache."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
