"""Amounts are integer pence everywhere; this is their plain pounds-and-pence text (no symbol, no
thousands separator): what a CSV cell and a money input's value hold. 12550 -> "125.50",
-1500 -> "-15.00". The portal's display form with "£" and separators is its `money` filter."""

from __future__ import annotations


def pounds(pence: int | None) -> str:
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"
