"""The officer's view: a large green VALID or red NOT VALID headline with the one reason, then every signed
field so the paper can be compared with what was signed, then each check that ran; and the counter's view
(``verdict_line``, for ``cites scan``): the same colours on one wide line per permit."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from permits.codes import PURPOSE_CODES, SOURCE_CODES
from permits.model import Permit, SpecimenLine, Trader, format_quantity
from permits.output.terminal import one_line_safe, terminal_safe
from permits.verification.result import Verdict

GREEN, RED, AMBER = "bold white on green4", "bold white on red3", "bold black on dark_orange"


class HumanFormat:
    """Rich rendering for a terminal (plain text when the output is not a terminal)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def verdict(self, verdict: Verdict) -> None:
        style = RED if not verdict.valid else AMBER if verdict.warnings else GREEN
        word = "VALID" if verdict.valid else "NOT VALID"
        headline = Text(f" {word} ", style=style)
        headline.append(f"  {verdict.status.value}  " if not verdict.valid else "  ", style="bold")
        headline.append(terminal_safe(verdict.reason))
        parts: list[Any] = [headline]
        if verdict.source:
            parts.append(Text(f"source: {terminal_safe(verdict.source)}", style="dim"))
        if verdict.signer:
            signer = verdict.signer
            parts.append(
                Text(f"signed by {signer.authority} ({signer.party}), {signer.algorithm} key {signer.kid}; "
                     f"trust: {signer.trust_source}", style="dim")
            )  # fmt: skip
        if verdict.permit:
            parts.append(permit_table(verdict.permit))
            parts.extend(line_table(index, line) for index, line in enumerate(verdict.permit.items))
        parts.append(checks_table(verdict))
        border = "red" if not verdict.valid else "dark_orange" if verdict.warnings else "green"
        self.console.print(Panel(Group(*parts), border_style=border, title=word, title_align="left"))

    def input_error(self, source: str, message: str) -> None:
        line = Text(" INPUT ERROR ", style=RED) + Text(f"  {terminal_safe(message)}")
        self.console.print(line, soft_wrap=True)  # one line, however long: scripts grep it


def verdict_line(verdict: Verdict) -> Text:
    """One wide, coloured line: the verdict word, the permit (or the source) and the reason."""
    if verdict.valid:
        style, word = (AMBER, " VALID (warnings) ") if verdict.warnings else (GREEN, " VALID ")
    else:
        style, word = RED, " NOT VALID "
    line = Text(f"{word:^20}", style=style)
    permit = verdict.permit
    subject = f" {permit.number} ({permit.issuing_party}) " if permit else f" {verdict.source} "
    line.append(one_line_safe(subject), style="bold")  # a file name holding a line break would forge a verdict
    line.append(one_line_safe(verdict.reason if not verdict.valid or verdict.warnings else verdict.status.value))
    return line


def _trader(trader: Trader) -> str:
    return ", ".join(part for part in (trader.name, trader.address, trader.country) if part)


def permit_table(permit: Permit) -> Table:
    """Boxes 1-6, 13 and 15 as label/value rows."""
    table = Table(show_header=False, box=None, pad_edge=False, title="Signed permit", title_justify="left")
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    rows: list[tuple[str, str | None]] = [
        ("1 Document", f"{permit.document_type.in_words} {permit.number}"),
        ("2 Valid", f"{permit.valid_from or permit.issued} to {permit.valid_until}"),
        ("3 Importer", _trader(permit.importer)),
        ("4 Exporter", _trader(permit.exporter)),
        ("5 Conditions", permit.special_conditions),
        ("5 Replaces", f"{permit.replaces.number} ({permit.replaces.reason})" if permit.replaces else None),
        ("5 Import permit", permit.import_permit),
        ("5a Purpose", f"{permit.purpose} ({PURPOSE_CODES[permit.purpose]})"),
        ("5b Security stamp", permit.security_stamp),
        ("6 Authority", _trader(permit.authority)),
        ("13 Issued", ", ".join(p for p in (str(permit.issued), permit.issued_at, permit.issuing_officer) if p)),
        ("15 Bill of lading", permit.bill_of_lading),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, value)
    return table


def line_table(index: int, line: SpecimenLine) -> Table:
    """Boxes 7-12b of one specimen line."""
    table = Table(show_header=False, box=None, pad_edge=False, title=f"Line {index + 1}", title_justify="left")
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    source = f"{line.source} ({SOURCE_CODES[line.source]})" + (f" + {line.second_source}" if line.second_source else "")
    rows: list[tuple[str, str | None]] = [
        ("7/8 Species", line.scientific_name + (f" ({line.common_name})" if line.common_name else "")),
        ("9 Description", f"{line.term}" + (f": {line.description}" if line.description else "")),
        ("9 Marks", "; ".join(f"{mark.kind} {mark.identifier}" for mark in line.marks) or None),
        ("10 Appendix/source", f"{line.appendix} / {source}"),
        ("10 Justification", line.source_justification),
        ("11 Quantity", f"{format_quantity(line.quantity)} {line.unit}"),
        (
            "11a Quota",
            f"{format_quantity(line.quota.exported_to_date)} of {format_quantity(line.quota.annual_quota)}"
            if line.quota
            else None,
        ),
        ("12 Origin", f"{line.origin.country} {line.origin.number} of {line.origin.date}" if line.origin else None),
        (
            "12a Last re-export",
            f"{line.last_reexport.country} {line.last_reexport.number} of {line.last_reexport.date}"
            if line.last_reexport
            else None,
        ),
        ("12b Acquisition", line.acquisition),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, value)
    return table


def checks_table(verdict: Verdict) -> Table:
    """Every check that ran, with a mark for passed, failed or warning."""
    table = Table(show_header=False, box=None, pad_edge=False, title="Checks", title_justify="left")
    table.add_column(no_wrap=True)
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    for check in verdict.checks:
        mark = (
            Text("ok", style="green")
            if check.ok
            else Text("warning", style="dark_orange")
            if check.severity.value == "warning"
            else Text("FAIL", style="bold red")
        )
        table.add_row(mark, check.id, check.message)
    return table
