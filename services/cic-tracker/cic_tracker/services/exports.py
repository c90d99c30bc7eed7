"""What the CIC's CSV downloads hold: each function returns (header, rows).

The evaluation summary for commissioners (the same suppressed cells as the API: no cell under the
minimum size is ever written), the Development Fund's rounds with their counts and amounts, and its
ledger (every received gift and every award, with the running balance). No case text, no family
or child detail, no application summary: figures only.
"""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.money import pounds

from ..extensions import db
from ..models import FundAward, FundGift
from . import evaluation, fund


def evaluation_summary() -> tuple[list[str], list[list]]:
    s = evaluation.summary()
    areas = sorted({area for c in s["cells"] for area in (c["average_change"] or {})})
    header = ["package_type", "hub", "microprojects", "cases", "suppressed"] + [
        f"average_change_{a}" for a in areas
    ]
    rows = [
        [c["package_type"], c["hub_name"] or "(no hub)", c["microprojects"], c["cases"], c["suppressed"]]
        + [(c["average_change"] or {}).get(a) for a in areas]
        for c in s["cells"]
    ]
    t = s["totals"]
    rows.append(["all", "all", t["microprojects"], t["cases"], t["suppressed"]] + [None] * len(areas))
    return header, rows


def fund_rounds() -> tuple[list[str], list[list]]:
    header = [
        "round_id", "quarter", "state", "opens_at", "closes_at", "closed_at", "applications", "undecided",
        "awarded", "declined", "deferred", "amount_requested_pence", "amount_requested_gbp",
        "amount_awarded_pence", "amount_awarded_gbp",
    ]  # fmt: skip
    rows = []
    for r in db.session.scalars(fund.list_rounds_stmt()):
        s = fund.summary(r)
        n = s["counts"]
        rows.append(
            [
                r.id,
                r.quarter,
                r.state,
                r.opens_at,
                r.closes_at,
                r.closed_at,
                n["applications"],
                n["undecided"],
                n["awarded"],
                n["declined"],
                n["deferred"],
                s["amount_requested"],
                pounds(s["amount_requested"]),
                s["amount_awarded"],
                pounds(s["amount_awarded"]),
            ]  # fmt: skip
        )
    return header, rows


def fund_ledger() -> tuple[list[str], list[list]]:
    """Received gifts in, awards out, oldest first, each with the balance after it; the last
    balance is the ledger's `balance`. Pledged and void gifts count for nothing, as in the API."""
    entries = [
        (g.received_at, g.id, "gift", g.amount, g.state, g.reference, None)
        for g in db.session.scalars(sa.select(FundGift).where(FundGift.state == "received"))
    ]
    entries += [
        (a.created_at, a.id, "award", -a.amount, a.state, None, a.application_id)
        for a in db.session.scalars(sa.select(FundAward))
    ]
    entries.sort(key=lambda e: (e[0], e[1]))
    header = [
        "at", "entry_id", "kind", "amount_pence", "amount_gbp", "state", "reference", "application_id",
        "balance_pence", "balance_gbp",
    ]  # fmt: skip
    rows, balance = [], 0
    for at, entry_id, kind, amount, state, reference, application_id in entries:
        balance += amount
        rows.append(
            [
                at,
                entry_id,
                kind,
                amount,
                pounds(amount),
                state,
                reference,
                application_id,
                balance,
                pounds(balance),
            ]
        )
    return header, rows
