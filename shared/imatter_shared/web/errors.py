"""problem+json (RFC 9457) for every error a service or the gateway returns.

All error mapping happens here, in one place: HTTP exceptions, webargs/marshmallow
validation errors (per field), business-rule refusals (409 with `unmet`) and anything
unexpected (logged, answered 500 without internals).
"""

from __future__ import annotations

import logging
import os
import re
import traceback

from flask import Flask, Response, current_app, json, request
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, StatementError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("imatter.errors")

PROBLEM_MIME = "application/problem+json"

TITLES = {
    400: "Invalid request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Refused by a business rule",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal error",
    502: "Upstream service unavailable",
    503: "Service unavailable",
    504: "Upstream service timed out",
}


class ApiError(Exception):
    """An error a view raises on purpose; rendered as problem+json."""

    status = 400

    def __init__(self, detail: str, status: int | None = None, *, errors=None, unmet=None, **extra):
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        self.errors = errors
        self.unmet = unmet
        self.extra = extra


class NotFound(ApiError):
    status = 404


class Forbidden(ApiError):
    status = 403


class Unauthorized(ApiError):
    status = 401


class RuleViolation(ApiError):
    """409: a business rule refuses the request. `unmet` lists requirement/rule codes."""

    status = 409

    def __init__(self, detail: str, unmet=None, **extra):
        super().__init__(detail, 409, unmet=list(unmet or []), **extra)


class InvalidInput(ApiError):
    """400 for one field (or several, `errors`): what the request names does not exist or does
    not fit (an unknown person, a code not in the price book). Raised by services, for what a
    request schema cannot know; the body is the one a schema's validation error has."""

    status = 400

    def __init__(
        self, field: str | None, message: str | None = None, *, detail: str | None = None, errors=None
    ):
        errors = errors if errors is not None else {field: [message]}
        super().__init__(detail or message, 400, errors=errors)


class LimitReached(ApiError):
    """429: a per-period limit is spent; the client may retry after `retry_after` seconds."""

    status = 429

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail, 429, headers={"Retry-After": str(retry_after)})


def problem(
    status: int,
    detail: str = "",
    *,
    title: str | None = None,
    errors=None,
    unmet=None,
    type_: str = "about:blank",
    headers=None,
    **extra,
) -> Response:
    body = {
        "type": type_,
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or title or TITLES.get(status, "Error"),
    }
    if errors:
        body["errors"] = errors
    if unmet is not None:
        body["unmet"] = unmet
    try:
        body["instance"] = request.path
    except RuntimeError:  # outside a request
        pass
    body.update(extra)
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def flatten_messages(messages) -> dict[str, list[str]]:
    """webargs nests messages by location ({"json": {"field": [...]}}); flatten to field -> [str]."""
    out: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                key = (
                    str(k)
                    if prefix in ("", "json", "query", "form", "files", "headers", "view_args")
                    else f"{prefix}.{k}"
                )
                walk(key, v)
        elif isinstance(value, (list, tuple)):
            if all(isinstance(x, str) for x in value):
                out.setdefault(prefix or "body", []).extend(value)
            else:
                for i, v in enumerate(value):
                    walk(f"{prefix}.{i}" if prefix else str(i), v)
        else:
            out.setdefault(prefix or "body", []).append(str(value))

    walk("", messages)
    return out


def _validation_detail(errors: dict[str, list[str]]) -> str:
    parts = [f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()]
    return "Invalid input. " + "; ".join(parts)


def handle_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    original = getattr(exc, "original_exception", None)
    if status == 500 and original is not None:  # raised past the handlers (an after_request, a handler)
        if isinstance(original, OperationalError):
            return database_unavailable(original)
        log_unexpected(original)
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if messages:  # webargs validation error raised through abort()
        errors = flatten_messages(messages)
        if status == 422:
            status = 400
        return problem(status, _validation_detail(errors), errors=errors)
    detail = exc.description if isinstance(exc.description, str) else ""
    if status == 413:
        detail = "The request body is larger than this service accepts."
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem(status, detail, headers=headers)


def handle_api_error(exc: ApiError) -> Response:
    return problem(exc.status, exc.detail, errors=exc.errors, unmet=exc.unmet, **exc.extra)


def handle_validation_error(exc: ValidationError) -> Response:
    errors = flatten_messages(exc.messages)
    return problem(400, _validation_detail(errors), errors=errors)


# ---- a write that broke a database constraint -------------------------------------------
# The service checks its rules before writing, but two requests can pass the same check at
# once (two purchases of one licence type); the database's constraint then refuses the second.
# That is the client's conflict with a record that now exists, not a server fault: 409, the
# transaction rolled back (nothing changed), and the rule named. The database's own message is
# never echoed or logged: it carries the conflicting values, which may be personal data.

_SQLITE_KINDS = {"UNIQUE": "unique", "FOREIGN KEY": "foreign_key", "NOT NULL": "not_null", "CHECK": "check"}
_PG_KINDS = {"23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check"}


def constraint_of(exc) -> tuple[str, str | None, tuple[str, ...]]:
    """(kind, table, columns) of an IntegrityError from SQLite or PostgreSQL (psycopg)."""
    orig = getattr(exc, "orig", exc)
    diag = getattr(orig, "diag", None)
    if diag is not None:  # PostgreSQL
        kind = _PG_KINDS.get(getattr(orig, "sqlstate", None) or "", "other")
        m = re.match(r"Key \((.+?)\)=", diag.message_detail or "")
        columns = tuple(c.strip() for c in m.group(1).split(",")) if m else ()
        if kind == "not_null" and diag.column_name:
            columns = (diag.column_name,)
        return kind, diag.table_name, columns
    m = re.match(r"(UNIQUE|FOREIGN KEY|NOT NULL|CHECK) constraint failed(?:: (.*))?", str(orig))
    if not m:
        return "other", None, ()
    kind, table, columns = _SQLITE_KINDS[m.group(1)], None, []
    for part in (m.group(2) or "").split(","):
        t, _, col = part.strip().rpartition(".")
        if col and t:
            table = t
            columns.append(col)
    return kind, table, tuple(columns)


def register_conflict_rules(app: Flask, rules: dict[str, tuple[str, str]]) -> None:
    """Name the business rule behind a unique constraint: `"table(col_a,col_b)": (code, text)`,
    e.g. `"licences(organisation_id,type)": ("licence_already_active", "one licence of each
    type at a time")`. Unlisted constraints get a generic code and text."""
    app.extensions.setdefault("imatter_conflict_rules", {}).update(
        {_rule_key(k): v for k, v in rules.items()}
    )


def _rule_key(key: str) -> tuple[str, frozenset[str]]:
    table, _, cols = key.partition("(")
    return table.strip(), frozenset(c.strip() for c in cols.rstrip(")").split(",") if c.strip())


def handle_integrity_error(exc) -> Response:
    _rollback()  # nothing of the refused request stays
    kind, table, columns = constraint_of(exc)
    rules = current_app.extensions.get("imatter_conflict_rules", {})
    code, text = rules.get((table or "", frozenset(columns))) or _generic_rule(kind, table, columns)
    log.warning(
        "write refused by a database constraint",
        extra={"ctx_rule": code, "ctx_kind": kind, "ctx_table": table, "ctx_path": request.path},
    )
    return problem(
        409, f"This conflicts with an existing record ({text}); nothing was changed.", unmet=[code]
    )


def _generic_rule(kind: str, table: str | None, columns: tuple[str, ...]) -> tuple[str, str]:
    what = (table or "record").replace("_", " ")
    cols = ", ".join(columns)
    if kind == "unique":
        return f"unique_{table or 'record'}", f"one {what} record per {cols}" if cols else f"a unique {what}"
    if kind == "foreign_key":
        return "referenced_record", "it refers to a record that does not exist (any more)"
    return f"{kind}_{table or 'record'}", f"a {what} record must satisfy its {kind.replace('_', ' ')} rule"


def log_unexpected(exc: BaseException, msg: str = "unhandled error") -> None:
    """Log an error by its class and where it was raised, never its message: a message can carry
    request data (a database error quotes the offending value; security review M6)."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    where = [f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in frames]
    log.error(
        msg,
        extra={
            "ctx_path": request.path,
            "ctx_error": type(exc).__module__ + "." + type(exc).__qualname__,
            "ctx_cause": type(exc.__cause__ or exc.__context__).__qualname__
            if (exc.__cause__ or exc.__context__)
            else None,
            "ctx_where": where,
        },
    )


def _rollback() -> None:
    ext = current_app.extensions.get("sqlalchemy")
    if ext is not None:
        try:
            ext.session.rollback()
        except Exception:  # noqa: BLE001 - the answer matters more than a failed rollback
            pass


def database_unavailable(exc: OperationalError) -> Response:
    """The database went away (a restart, a failover, the network): a moment's outage, not a bug.
    The reliability drill restarts PostgreSQL under load and sees these (docs/reliability.md)."""
    log.warning(
        "database unavailable",
        extra={"ctx_error": type(getattr(exc, "orig", None) or exc).__name__, "ctx_path": request.path},
    )
    return problem(
        503, "The database is unavailable for a moment. Try again shortly.", headers={"Retry-After": "2"}
    )


def handle_statement_error(exc) -> Response:
    """A database error the client's values caused: too long for its column, out of range, not
    valid for its type (DataError), or values the driver could not send (a StatementError that
    is not a database error). 400, nothing stored, no database text in the answer or the log.
    A lost database connection is a 503 with Retry-After; any other database error (a bug) is a
    500, logged by class only."""
    _rollback()
    if isinstance(exc, OperationalError):
        return database_unavailable(exc)
    client_caused = isinstance(exc, DataError) or (
        not isinstance(exc, DBAPIError) and isinstance(getattr(exc, "orig", None), (ValueError, TypeError))
    )
    if not client_caused:
        return handle_unexpected(exc)
    log.warning(
        "write refused by the database", extra={"ctx_error": type(exc).__name__, "ctx_path": request.path}
    )
    return problem(
        400,
        "A value could not be stored: too long, out of range or not valid for its field; "
        "nothing was changed.",
        errors={"body": ["A value is too long, out of range or not valid."]},
    )


def handle_unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log_unexpected(exc)
    return problem(500, "Something went wrong on our side; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(StatementError, handle_statement_error)  # DataError and the rest (M6)
    app.register_error_handler(Exception, handle_unexpected)
