"""CSV downloads for staff (finance, commissioners, the CIC): one way to answer them.

Amounts are exported twice: integer pence (what the books add up) and pounds with two decimals (what
a spreadsheet reader expects: imatter_shared.money.pounds). A cell that a spreadsheet would run as a formula (starting with =, +,
-, @, a tab or a carriage return) is prefixed with an apostrophe, so an organisation named
"=HYPERLINK(...)" stays text (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Response

from imatter_shared import audit

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")  # the columns hold naive UTC (decision 0032)
    text = str(value)
    if isinstance(value, int | float):
        return text  # a negative amount is a number, not a formula
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """A download named `filename`, UTF-8 with a byte-order mark so spreadsheet programs read
    accented names correctly, never cached by a shared cache."""
    body = "\ufeff" + csv_text(header, rows)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def csv_download(name: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """A staff download: `<name>-<UTC date>.csv`, recorded in the service's audit log (written with
    the response, in its own commit)."""
    audit.record("export", "csv", name)
    return csv_response(f"{name}-{datetime.now(UTC):%Y-%m-%d}.csv", header, rows)


CSV_DOC = {
    "responses": {
        "200": {
            "description": "A CSV file (UTF-8 with a byte-order mark, first row the column names).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}
