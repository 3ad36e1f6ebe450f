"""``cites audit``: verify a batch of permits from files as ``cites verify`` does, report every verdict, and find
the frauds only a batch shows (duplicate numbers, re-used stamps and marks, over-quantity re-exports)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.options import DbOption, parse_moment, party_code

if TYPE_CHECKING:
    from permits.audit.runner import AuditResult

INTERRUPTED_EXIT_CODE = 130


def audit_command(
    inputs: Annotated[
        list[Path], typer.Argument(help="Folders (recursive), PDFs, images, text (one QR text per line), JSONL, CSV.")
    ],
    report: Annotated[Path, typer.Option(help="The report, one row per permit: FILE.jsonl or FILE.csv.")],
    findings: Annotated[
        Path | None, typer.Option(help="Cross-permit findings (.jsonl or .csv; default REPORT_NAME.findings.EXT).")
    ] = None,
    html: Annotated[Path | None, typer.Option(help="Also write a self-contained HTML summary with charts.")] = None,
    workers: Annotated[
        int | None, typer.Option(max=1024, help="Worker processes (default: the CPU count; 1: no pool).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted audit: skip inputs already in REPORT.")
    ] = False,
    payload_column: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME",
            help="The QR text's column (CSV) or key (JSONL); repeatable: the first a file has (default: payload).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    at: Annotated[
        str | None,
        typer.Option(
            help="Judge every permit as of this UTC date or time (YYYY-MM-DD[THH:MM]; default: when the audit "
            "started); trust and revocation lists must still be fresh today."
        ),
    ] = None,
    db: DbOption = None,
    register: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PARTY",
            help="Compare this Party's permits with the issuing register of the ledger (--db); repeatable.",
        ),
    ] = None,
) -> None:
    """Audit a batch of permits: the full verification of each (signature, trust, revocation, CITES rules,
    usage ledger) and the cross-permit findings (see README "Batch audits").

    Exit codes: 0 every permit VALID and no error or warning finding; 1 otherwise; 2 usage error (bad argument,
    no inputs, an output that is an input, report exists without --resume, report unreadable for --resume or
    of other inputs); 130 interrupted (re-run with --resume).
    """
    from concurrent.futures.process import BrokenProcessPool

    from permits.audit.runner import run_audit
    from permits.errors import ConfigurationError

    parties = list(dict.fromkeys(party_code(party, "--register") for party in register or ()))
    bar = _ProgressBar() if not quiet and sys.stdout.isatty() and sys.stderr.isatty() else None
    processes = (os.cpu_count() or 1) if workers is None else workers
    moment = parse_moment(at) if at is not None else None
    try:
        with bar or contextlib.nullcontext():
            result = run_audit(
                inputs, report, findings=findings, html=html, workers=processes, resume=resume,
                payload_columns=payload_column or ["payload"], ledger_url=db, register=parties, at=moment,
                progress=bar,
            )  # fmt: skip
    except KeyboardInterrupt:
        typer.echo(f"interrupted: the rows written so far are in {report}; add --resume to continue", err=True)
        raise typer.Exit(INTERRUPTED_EXIT_CODE) from None
    except BrokenProcessPool:
        message = (
            f"a worker process stopped abruptly (killed, or out of memory?): the rows written so far are in {report}"
        )
        raise ConfigurationError(f"{message}; add --resume to continue") from None
    _print_summary(result)
    if result.summary.not_valid or result.findings.serious:
        raise typer.Exit(1)


class _ProgressBar:
    """A Rich progress bar on standard error: inputs done, rate, elapsed time and ETA."""

    def __enter__(self) -> _ProgressBar:
        import time

        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.clock = time.monotonic
        self.started = self.clock()
        columns = (TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())  # fmt: skip
        self.progress = Progress(*columns, console=Console(stderr=True))
        self.progress.start()
        self.task = self.progress.add_task("audit", total=None, rate="")
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, total: int) -> None:
        self.started = self.clock()
        self.progress.update(self.task, total=total, completed=0)

    def advance(self, inputs: int) -> None:
        task = self.progress.tasks[0]
        rate = (task.completed + inputs) / max(self.clock() - self.started, 1e-6)
        self.progress.update(self.task, advance=inputs, rate=f"{rate:,.0f} inputs/s")


def _print_summary(result: AuditResult) -> None:
    """Totals by status, the commonest reasons, the findings, and where everything was written (stdout)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from permits.output.terminal import terminal_safe

    def plain(text: object) -> Text:  # reasons and paths may quote file names: no markup, no control characters
        return Text(terminal_safe(str(text)))

    console = Console(highlight=False)
    summary = result.summary
    console.print(f"Audit: {summary.rows:,} row(s), {summary.valid:,} VALID, {summary.not_valid:,} NOT VALID")
    if summary.by_status:
        statuses = Table()
        for column in ("status", "count", "share"):
            statuses.add_column(column, justify="left" if column == "status" else "right")
        for status, count in summary.by_status:
            statuses.add_row(status, f"{count:,}", f"{count / summary.rows:.1%}")
        console.print(statuses)
    if summary.top_reasons:
        console.print("Most common reasons (NOT VALID), by status and rule, with the first example:")
        reasons = Table()
        reasons.add_column("count", justify="right")
        reasons.add_column("reason")
        for reason, count in summary.top_reasons:
            reasons.add_row(f"{count:,}", plain(reason))
        console.print(reasons)
    tally = result.findings
    if tally.total:
        console.print(f"Cross-permit findings: {tally.total:,}")
        kinds = Table()
        for column in ("kind", "severity", "count", "first one"):
            kinds.add_column(column, justify="right" if column == "count" else "left")
        for (kind, severity), count in tally.counts.items():
            first = next(finding.message for finding in tally.samples if finding.kind == kind)
            kinds.add_row(kind, severity, f"{count:,}", plain(first))
        console.print(kinds)
    else:
        console.print("Cross-permit findings: none")
    resumed = f" ({result.resumed_rows:,} row(s) kept from the interrupted run)" if result.resumed_rows else ""
    console.print(plain(f"report: {result.report}{resumed}"))
    console.print(plain(f"findings: {result.findings_file}"))
    if result.page is not None:
        console.print(plain(f"html: {result.page}"))
