"""The audit's HTML report: totals and bar charts (failures by reason, issuing Party, species, month of issue)
as inline SVG in one self-contained file that opens offline (no scripts, no fonts, no network)."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from typing import Any

from permits.audit.findings import Finding

BAR_WIDTH = 420
ROW_HEIGHT = 22


def _chart(title: str, counts: Counter[str], limit: int = 15) -> str:
    items = counts.most_common(limit)
    if not items:
        return f"<h2>{html.escape(title)}</h2><p>none</p>"
    top = items[0][1]
    height = ROW_HEIGHT * len(items) + 10
    bars = []
    for index, (label, count) in enumerate(items):
        y = index * ROW_HEIGHT + 5
        width = max(2, round(BAR_WIDTH * count / top))
        bars.append(
            f'<text x="0" y="{y + 15}" font-size="12">{html.escape(label[:60])}</text>'
            f'<rect x="380" y="{y + 3}" width="{width}" height="15" fill="#c0392b"/>'
            f'<text x="{385 + width}" y="{y + 15}" font-size="12">{count}</text>'
        )
    return (f"<h2>{html.escape(title)}</h2><svg xmlns='http://www.w3.org/2000/svg' width='{BAR_WIDTH + 440}' "
            f"height='{height}' role='img' aria-label='{html.escape(title)}'>{''.join(bars)}</svg>")  # fmt: skip


def render(rows: Iterable[dict[str, Any]], findings: list[Finding]) -> str:
    """The whole report page."""
    total = valid = 0
    by_reason: Counter[str] = Counter()
    by_party: Counter[str] = Counter()
    by_species: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    for row in rows:
        total += 1
        if row["valid"]:
            valid += 1
            continue
        by_reason[row["status"]] += 1
        permit = row.get("permit") or {}
        signer = row.get("signer") or {}
        by_party[(permit.get("authority") or {}).get("country") or signer.get("party") or "unknown (not signed)"] += 1
        for line in permit.get("items", []):
            by_species[line["scientific_name"]] += 1
        by_month[str(permit.get("issued", "unknown"))[:7]] += 1
    empty = "<tr><td colspan=3>none</td></tr>"
    finding_rows = "".join(
        f"<tr><td>{html.escape(f.kind)}</td><td>{html.escape(f.severity)}</td><td>{html.escape(f.message)}</td></tr>"
        for f in findings
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CITES permit audit</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}td,th{{border:1px solid #ccc;padding:4px}}
table{{border-collapse:collapse}}.bad{{color:#c0392b}}</style></head><body>
<h1>CITES permit audit</h1>
<p><b>{total}</b> permits: <b>{valid}</b> VALID, <b class="bad">{total - valid}</b> NOT VALID;
<b class="bad">{len(findings)}</b> cross-permit findings.</p>
{_chart("Failures by reason", by_reason)}
{_chart("Failures by issuing Party", by_party)}
{_chart("Failures by species", by_species)}
{_chart("Failures by month of issue", by_month)}
<h2>Cross-permit findings</h2>
<table><tr><th>kind</th><th>severity</th><th>finding</th></tr>{finding_rows or empty}</table>
</body></html>
"""
