"""``cites scan``: the counter loop, one large green or red line per permit as soon as it is scanned."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.options import DbOption


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
    from permits.output.human import verdict_line
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
