"""``cites audit``: verify many permits from files and report, with the findings only a batch shows."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.options import DbOption

if TYPE_CHECKING:
    from permits.audit.runner import Totals


def audit_command(
    inputs: Annotated[list[Path], typer.Argument(help="Folders (recursive), PDFs, images, text, JSONL or CSV files.")],
    report: Annotated[Path, typer.Option(help="Report file, one row per input: .jsonl or .csv.")],
    findings: Annotated[
        Path | None, typer.Option(help="Cross-permit findings file (JSON Lines; default REPORT.findings.jsonl).")
    ] = None,
    html_report: Annotated[Path | None, typer.Option("--html", help="Write an HTML summary with charts.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (default: the CPU count).")] = 0,
    resume: Annotated[bool, typer.Option(help="Skip inputs already in the report (after an interruption).")] = False,
    payload_column: Annotated[str, typer.Option(help="Column or key holding the QR text in CSV/JSONL.")] = "payload",
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    db: DbOption = None,
) -> None:
    """Audit a batch of permits: every permit gets the full verification (as cites verify), and the batch is
    searched for duplicate permit numbers, re-used security stamps, duplicate microchips/rings/tags and
    re-exports that ship more than their origin permit covered.

    Exit codes: 0 every permit VALID and no finding; 1 otherwise; 2 usage or input error.
    """
    from rich.console import Console
    from rich.table import Table

    from permits.audit import findings as cross
    from permits.audit.html import render
    from permits.audit.runner import read_report
    from permits.errors import InputError
    from permits.fileio import write_text_atomic

    missing = [str(path) for path in inputs if not path.exists()]
    if missing:
        raise InputError(f"not found: {', '.join(missing)}")
    if report.suffix.lower() not in (".jsonl", ".csv"):
        raise InputError(f"--report {report}: use a .jsonl or .csv file")
    console = Console(stderr=True)
    show_progress = not quiet and sys.stderr.isatty()
    totals = _run(inputs, report, workers or os.cpu_count() or 1, resume, payload_column, db, show_progress)
    found = cross.find(read_report(report))
    findings_path = findings or report.with_name(report.name + ".findings.jsonl")
    write_text_atomic(findings_path, cross.dumps(found))
    if html_report is not None:
        write_text_atomic(html_report, render(read_report(report), found))
    table = Table(
        title=f"Audit of {totals.rows} permit(s): {totals.valid} VALID, {totals.rows - totals.valid} NOT VALID"
    )
    table.add_column("status")
    table.add_column("count", justify="right")
    for status, count in sorted(totals.by_status.items(), key=lambda item: -item[1]):
        table.add_row(status, str(count))
    console.print(table)
    for reason, count in sorted(totals.by_reason.items(), key=lambda item: -item[1])[:10]:
        console.print(f"  {count:>6}  {reason}")
    for finding in found:
        console.print(f"[bold]{finding.kind}[/bold] ({finding.severity}): {finding.message}")
    serious = [finding for finding in found if finding.severity != cross.INFO]
    if totals.valid != totals.rows or serious:
        raise typer.Exit(1)


def _run(
    inputs: list[Path],
    report: Path,
    workers: int,
    resume: bool,
    payload_column: str,
    db: str | None,
    show_progress: bool,
) -> Totals:
    from permits.audit.runner import run_audit

    options: dict[str, Any] = {"workers": workers, "resume": resume, "payload_column": payload_column, "ledger_url": db}
    if not show_progress:
        return run_audit(inputs, report, **options)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.speed} permits/s"),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("audit", total=None)
        return run_audit(inputs, report, progress=lambda count: progress.advance(task, count), **options)
