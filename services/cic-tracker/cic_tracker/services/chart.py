"""An accessible SVG bar chart of a case's progress: baseline vs latest per area.

Plain SVG built from escaped text: a <title> and <desc> for screen readers, a text label
and value on every bar, and patterns distinguishable without colour (solid vs outlined).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

ROW = 44
LEFT = 230
BAR_MAX = 300
SCALE = BAR_MAX / 10


def progress_svg(progress: dict) -> str:
    rows = progress["areas"]
    height = 70 + ROW * max(len(rows), 1)
    width = LEFT + BAR_MAX + 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="chart-title chart-desc">',
        '<title id="chart-title">Progress: baseline and latest score per area (0 to 10)</title>',
        f'<desc id="chart-desc">{escape(_describe(rows))}</desc>',
        '<g font-family="sans-serif" font-size="13" fill="#1a1a1a">',
        '<rect x="10" y="12" width="14" height="10" fill="#9aa5b1"/><text x="30" y="21">Baseline</text>',
        '<rect x="110" y="12" width="14" height="10" fill="#ffffff" stroke="#1f4e79" stroke-width="2"/>'
        '<text x="130" y="21">Latest</text>',
    ]
    if not rows:
        parts.append('<text x="10" y="60">No assessments recorded yet.</text>')
    for i, row in enumerate(rows):
        y = 45 + i * ROW
        label = escape(row["label"])
        parts.append(f'<text x="10" y="{y + 16}">{label}</text>')
        parts.append(_bar(y, row["baseline"], "Baseline", label, 'fill="#9aa5b1"'))
        parts.append(
            _bar(y + 18, row["latest"], "Latest", label, 'fill="#ffffff" stroke="#1f4e79" stroke-width="2"')
        )
    parts.append("</g></svg>")
    return "\n".join(parts)


def _bar(y: int, value, series: str, label: str, style: str) -> str:
    if value is None:
        return f'<text x="{LEFT}" y="{y + 12}" font-size="11">{series}: not recorded</text>'
    w = max(value * SCALE, 1)
    return (
        f"<g><title>{series} for {label}: {value}</title>"
        f'<rect x="{LEFT}" y="{y}" width="{w:.0f}" height="14" {style}/>'
        f'<text x="{LEFT + w + 6:.0f}" y="{y + 12}" font-size="11">{series} {value}</text></g>'
    )


def _describe(rows: list[dict]) -> str:
    if not rows:
        return "No assessments recorded yet."
    bits = []
    for r in rows:
        change = "" if r["change"] is None else f", change {r['change']:+d}"
        bits.append(f"{r['label']}: baseline {_v(r['baseline'])}, latest {_v(r['latest'])}{change}")
    return "; ".join(bits) + "."


def _v(value) -> str:
    return "not recorded" if value is None else str(value)
