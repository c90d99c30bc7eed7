"""What every operation in a service's OpenAPI document says, filled in as each is registered
(an apispec plugin the shared Api installs, so no view has to repeat it):

- `operationId`: the service and the Flask endpoint, e.g. `training_catalogue_courses`; a
  class-based view's operations add their method (`training_price_book_get`). Unique in the
  service's document and, by the service prefix, across services (two services register the
  shared audit blueprint); the gateway's merge checks it again (gateway/api/openapi.py).
- `security`: `[]` on an operation anyone may call without a token, the view marked `@public`
  (imatter_shared.web.auth) or documenting `security` itself (a signed webhook says `[]`);
  otherwise `bearerAuth`, which is also the document's global requirement.
- documented errors (problem+json, ProblemSchema): 400 on every operation (any request can be
  refused as invalid input, imatter_shared.web.api.check_client_input); 401 and 403 on secured
  operations; 404 where the path names a record (`{id}`). A view's own `alt_response` wins.
"""

from __future__ import annotations

import re

from apispec import BasePlugin

PUBLIC_ATTR = "_imatter_public"
BEARER = [{"bearerAuth": []}]
METHODS = ("get", "put", "post", "delete", "patch")


def public(fn):
    """Mark a view as answering without an access token (documented `security: []`)."""
    setattr(fn, PUBLIC_ATTR, True)
    return fn


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().replace(".", "_")


class OperationConventions(BasePlugin):
    def __init__(self, app, service: str):
        self.app = app
        self.prefix = service.replace("-", "_") + "_"
        self.ids: set[str] = set()

    def _handler(self, endpoint: str, method: str):
        view = self.app.view_functions.get(endpoint)
        view_class = getattr(view, "view_class", None)
        return getattr(view_class, method, None) if view_class is not None else view

    def _unique(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.ids:
            name, n = f"{wanted}_{n}", n + 1
        self.ids.add(name)
        return name

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        methods = [m for m in METHODS if m in operations]
        class_based = getattr(self.app.view_functions.get(rule.endpoint), "view_class", None) is not None
        for method in methods:
            op = operations[method]
            wanted = (
                self.prefix
                + _snake(rule.endpoint)
                + (f"_{method}" if class_based or len(methods) > 1 else "")
            )
            op["operationId"] = self._unique(op.get("operationId") or wanted)
            if "security" not in op:
                marked = getattr(self._handler(rule.endpoint, method), PUBLIC_ATTR, False)
                op["security"] = [] if marked else list(BEARER)
            responses = op.setdefault("responses", {})
            add = {400: "BAD_REQUEST"}
            if op["security"]:
                add.update({401: "UNAUTHORIZED", 403: "FORBIDDEN"})
            if "<" in rule.rule:
                add[404] = "NOT_FOUND"
            for status, name in add.items():
                if status not in responses and str(status) not in responses:
                    responses[str(status)] = name
