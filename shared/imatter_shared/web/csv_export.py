"""CSV downloads for staff (finance, commissioners, the CIC): one way to answer them.

Amounts are exported twice: integer pence (what the books add up) and pounds with two decimals (what
a spreadsheet reader expects). A cell that a spreadsheet would run as a formula (starting with =, +,
-, @, a tab or a carriage return) is prefixed with an apostrophe, so an organisation named
"=HYPERLINK(...)" stays text (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def pounds(pence: int | None) -> str:
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


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


CSV_DOC = {
    "responses": {
        "200": {
            "description": "A CSV file (UTF-8 with a byte-order mark, first row the column names).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}
