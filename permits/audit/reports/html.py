"""The audit's summary page: totals, bar charts (verdicts by status; failures by reason, issuing Party, species
and month of issue) and the cross-permit findings, in one self-contained HTML file.

The charts are inline SVG built here: no script, no font, no image or style sheet to fetch, so the page opens
offline and can be archived with the report. Every text from the report is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from html import escape

from permits.audit.findings import FindingsTally
from permits.audit.index import Summary

PAGE_TITLE = "CITES permit audit"
"""The page title (an audit recognises its own earlier page by it on --resume)."""
LABEL_WIDTH = 300
BAR_AREA = 460
ROW_HEIGHT = 22
MAX_LABEL = 46
MAX_BARS = 25
VALID_COLOUR = "#2e7d32"
FAILURE_COLOUR = "#c62828"

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:62rem;color:#222;
padding:0 1rem}
h1{margin-bottom:.2rem}.meta{color:#666;margin-top:0}
.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1.5rem 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.8rem 1.2rem;min-width:7.5rem}
.card b{display:block;font-size:1.8rem}.good b{color:#2e7d32}.bad b{color:#c62828}
section{margin:2rem 0}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#f5f5f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#c62828;font-weight:600}.warning{color:#b26a00;font-weight:600}.info{color:#1565c0}
svg text{font-family:inherit;font-size:12px;fill:#222}
"""


class HtmlPage:
    """The summary page."""

    def render(self, summary: Summary, findings: FindingsTally, provenance: list[tuple[str, str]]) -> str:
        generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        rate = f"{summary.valid / summary.rows:.1%}" if summary.rows else "n/a"
        sections = [
            _chart_section("Verdicts by status", summary.by_status, colour_of=_status_colour),
            _chart_section("Failures by reason", summary.failures_by_reason),
            _chart_section("Failures by issuing Party", summary.failures_by_party),
            _chart_section("Failures by species", summary.failures_by_species),
            _chart_section("Failures by month of issue", summary.failures_by_month),
            _reasons_section(summary),
            _not_valid_section(summary),
            _findings_section(findings),
            _provenance_section(provenance),
        ]
        return (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{PAGE_TITLE}</title><style>{STYLE}</style></head><body>\n"
            f"<h1>CITES permit audit</h1><p class='meta'>Generated {generated} by <code>cites audit</code></p>\n"
            "<div class='cards'>"
            f"{_card('permits judged', summary.rows, '')}{_card('VALID', summary.valid, 'good')}"
            f"{_card('NOT VALID', summary.not_valid, 'bad' if summary.not_valid else '')}"
            f"{_card('cross-permit findings', findings.total, 'bad' if findings.serious else '')}"
            f"{_card('valid rate', rate, '')}</div>\n" + "\n".join(sections) + "\n</body></html>\n"
        )


def _card(label: str, value: int | str, kind: str) -> str:
    shown = f"{value:,}" if isinstance(value, int) else value
    return f"<div class='card {kind}'><b>{escape(shown)}</b>{escape(label)}</div>"


def _status_colour(label: str) -> str:
    return VALID_COLOUR if label == "VALID" else FAILURE_COLOUR


def _failure_colour(label: str) -> str:
    del label
    return FAILURE_COLOUR


def _section(title: str, body: str | None) -> str:
    """A titled section of the page; no body says "None."."""
    return f"<section><h2>{escape(title)}</h2>{body or '<p>None.</p>'}</section>"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of cells already made (``_cell``), under a header row unless ``header`` is empty."""
    head = f"<tr>{''.join(f'<th>{escape(label)}</th>' for label in header)}</tr>" if header else ""
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return f"<table>{head}{body}</table>"


def _cell(text: str, css: str = "") -> str:
    return f"<td class='{css}'>{escape(text)}</td>" if css else f"<td>{escape(text)}</td>"


def _chart_section(title: str, counts: list[tuple[str, int]], colour_of: Callable[[str], str] = _failure_colour) -> str:
    """A horizontal bar chart as inline SVG (the first ``MAX_BARS`` rows; the rest summed in one bar)."""
    if not counts:
        return _section(title, None)
    shown = counts[:MAX_BARS]
    if len(counts) > MAX_BARS:
        shown = [*shown, (f"({len(counts) - MAX_BARS} more)", sum(count for _, count in counts[MAX_BARS:]))]
    top = max(count for _, count in shown)
    height = ROW_HEIGHT * len(shown) + 8
    width = LABEL_WIDTH + BAR_AREA + 80
    bars = []
    for index, (label, count) in enumerate(shown):
        y = 4 + index * ROW_HEIGHT
        length = max(2, round(BAR_AREA * count / top))
        short = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "\u2026"
        bars.append(
            f"<g><title>{escape(label)}: {count:,}</title>"
            f"<text x='{LABEL_WIDTH - 8}' y='{y + 15}' text-anchor='end'>{escape(short)}</text>"
            f"<rect x='{LABEL_WIDTH}' y='{y + 3}' width='{length}' height='{ROW_HEIGHT - 6}' rx='2' "
            f"fill='{colour_of(label)}'/>"
            f"<text x='{LABEL_WIDTH + length + 6}' y='{y + 15}'>{count:,}</text></g>"
        )
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{escape(title)}' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}'>{''.join(bars)}</svg>"
    )
    return _section(title, svg)


def _reasons_section(summary: Summary) -> str:
    rows = [(_cell(f"{count:,}", "n"), _cell(reason)) for reason, count in summary.top_reasons]
    title = "Most common reasons a permit is NOT VALID (by status and rule, with the first example)"
    return _section(title, _table(("count", "reason"), rows) if rows else None)


def _not_valid_section(summary: Summary) -> str:
    rows = [tuple(map(_cell, row)) for row in summary.first_not_valid]
    shown = len(rows)
    note = (
        f" (the first {shown:,} of {summary.not_valid:,}; all are in the report)" if shown < summary.not_valid else ""
    )
    body = _table(("input", "document", "status", "reason"), rows) if rows else None
    return _section(f"NOT VALID permits{note}", body)


def _provenance_section(provenance: list[tuple[str, str]]) -> str:
    rows = [(f"<th>{escape(label)}</th>", _cell(value)) for label, value in provenance]
    return _section("What this audit was judged against", _table((), rows))


def _findings_section(findings: FindingsTally) -> str:
    if not findings.total:
        return _section("Cross-permit findings", None)
    counts = [(_cell(kind), _cell(severity, severity), _cell(f"{count:,}", "n"))
              for (kind, severity), count in findings.counts.items()]  # fmt: skip
    samples = []
    for finding in findings.samples:
        more = f" and {len(finding.inputs) - 6} more" if len(finding.inputs) > 6 else ""
        inputs = f"<small>{escape(', '.join(finding.inputs[:6]) + more)}</small>"
        severity = finding.severity.value
        samples.append(
            (_cell(finding.kind), _cell(severity, severity), f"<td>{escape(finding.message)}<br>{inputs}</td>")
        )
    body = (
        _table(("kind", "severity", "count"), counts)
        + f"<h3>Examples (the first {findings.samples_per_kind} of each kind; all are in the findings file)</h3>"
        + _table(("kind", "severity", "finding and inputs"), samples)
    )
    return _section("Cross-permit findings", body)
