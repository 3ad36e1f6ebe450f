"""``cites verify``: read permits from files, payloads or standard input and show a verdict for each."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cli.options import DbOption, parse_moment

if TYPE_CHECKING:
    from permits.output.interface import VerdictFormat


def verify_command(
    files: Annotated[
        list[str] | None, typer.Argument(help="PDF, image or .txt files, or '-' for QR texts on stdin.")
    ] = None,
    payload: Annotated[list[str] | None, typer.Option(help="A QR text to verify (repeatable).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object per permit (JSON Lines).")] = False,
    at: Annotated[
        str | None,
        typer.Option(
            help="Judge the permit as of this UTC date or time (YYYY-MM-DD[THH:MM]); trust and revocation "
            "lists must still be fresh today."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Verify permits: signature, trust, dates and content; one verdict per permit.

    FILE may be a PDF (every page), an image (PNG, JPEG, TIFF, ...), or a text file (.txt) with one QR text per
    line, as `cites issue` writes it; '-' reads one QR text per line from standard input, the way a handheld
    scanner types. No QR text at all is a NOT VALID verdict (exit 1).

    Exit codes: 0 every permit VALID; 1 a permit NOT VALID or a file without a permit QR code;
    2 usage or input error (unreadable file, bad argument); 130 interrupted (Ctrl-C).
    """
    from permits.errors import InputError
    from permits.verification import Verdict
    from permits.verification.assembly import build_verifier
    from permits.verification.inputs import verification_inputs

    if not files and not payload:
        raise InputError("nothing to verify: give FILE arguments, '-' for standard input, or --payload TEXT")
    moment = parse_moment(at) if at is not None else None
    output = _output_format(json_output)
    verifier = build_verifier(db)
    exit_code = 0
    for item in verification_inputs(files or [], payload or [], sys.stdin):
        if item.unreadable:
            output.input_error(item.source, item.problem or "unreadable")
            exit_code = 2
            continue
        if item.text is None:
            verdict = Verdict.not_read(item.source, item.problem or "no permit found")
        else:
            verdict = verifier.verify(item.text, source=item.source, at=moment)
        output.verdict(verdict)
        if not verdict.valid:
            exit_code = max(exit_code, 1)
    raise typer.Exit(exit_code)


def _output_format(json_output: bool) -> VerdictFormat:
    if json_output:
        from permits.output.json import JsonLinesFormat

        return JsonLinesFormat()
    from permits.output.human import HumanFormat

    return HumanFormat()
