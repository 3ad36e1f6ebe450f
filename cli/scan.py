"""``cites scan``: the counter loop, one large green or red line per permit as soon as it is scanned."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.options import DbOption

if TYPE_CHECKING:
    from rich.text import Text

    from permits.verification import Verdict


def scan_command(
    watch: Annotated[
        Path | None, typer.Option(help="Watch this folder (a scanner's drop folder) instead of reading stdin.")
    ] = None,
    stop_after: Annotated[int | None, typer.Option(min=1, help="Stop after this many files (watch mode).")] = None,
    existing: Annotated[
        bool, typer.Option("--existing", help="Also judge files already in the folder when the watch starts.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Judge permits as they are scanned: QR texts typed by a handheld scanner (one per line on stdin), or
    files dropped into a folder. Each verdict is one large line and is appended to $CITES_HOME/scan-log.jsonl.

    Stop with Ctrl-C (or end of input). Exit code 0; 2 for a usage error.
    """
    from rich.console import Console

    from permits.errors import InputError
    from permits.fileio import path_exists
    from permits.scanning import ScanLog, Scanner, scan_log_path, watched_files
    from permits.verification.assembly import build_verifier

    console = Console(highlight=False)
    scanner = Scanner(build_verifier(db), ScanLog(scan_log_path()))
    if watch is None:
        console.print("[dim]Ready: scan a permit QR code (Ctrl-D to end).[/dim]")
        verdicts = scanner.lines(sys.stdin)
    else:
        if not (path_exists(watch) and watch.is_dir()):
            raise InputError(f"--watch: {watch} is not a folder")
        if not existing:
            scanner.seen.update(watched_files(watch))
        console.print(f"[dim]Watching {watch} for scanned permits (Ctrl-C to stop).[/dim]")
        verdicts = scanner.watch(watch, lambda done: stop_after is not None and done >= stop_after)
    try:
        for verdict in verdicts:
            console.print(verdict_line(verdict))
    except KeyboardInterrupt:
        console.print("[dim]stopped[/dim]")


def verdict_line(verdict: Verdict) -> Text:
    """One wide, coloured line: the verdict word, the permit and the reason."""
    from rich.text import Text

    if verdict.valid:
        style, word = (
            ("bold black on dark_orange", " VALID (warnings) ")
            if verdict.warnings
            else ("bold white on green4", " VALID ")
        )
    else:
        style, word = "bold white on red3", " NOT VALID "
    line = Text(f"{word:^20}", style=style)
    permit = verdict.permit
    subject = f" {permit.number} ({permit.issuing_party}) " if permit else f" {verdict.source} "
    line.append(subject, style="bold")
    line.append(verdict.reason if not verdict.valid or verdict.warnings else verdict.status.value)
    return line
