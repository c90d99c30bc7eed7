"""The aggregate evaluation (small cells suppressed)."""

from __future__ import annotations

from marshmallow import fields

from .base import Opt, Out


class EvaluationTotalsOut(Out):
    microprojects = fields.Integer()
    cases = Opt(fields.Integer, metadata={"description": "null when suppressed"})
    suppressed = fields.Boolean()


class EvaluationCellOut(Out):
    package_type = fields.Integer()
    hub_id = Opt()
    hub_name = Opt()
    microprojects = fields.Integer()
    cases = Opt(fields.Integer, metadata={"description": "null when the cell is under the minimum size"})
    average_change = Opt(fields.Dict, keys=fields.String(), values=fields.Float())
    suppressed = fields.Boolean()


class EvaluationOut(Out):
    min_cell_size = fields.Integer()
    totals = fields.Nested(EvaluationTotalsOut)
    cells = fields.List(fields.Nested(EvaluationCellOut))
