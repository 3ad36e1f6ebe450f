"""``cites endorse``: Box 14 at the border: verify the permit, then record the shipment in the usage ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.options import DbOption, post_name

if TYPE_CHECKING:
    from permits.ledger.interface import Use


def endorse_command(
    port: Annotated[str, typer.Option(help="Port of export (or import), e.g. 'Mombasa seaport'.")],
    officer: Annotated[str, typer.Option(help="The customs officer endorsing the shipment.")],
    file: Annotated[
        Path | None, typer.Argument(help="The permit: PDF, image or the .txt QR text file (or use --payload).")
    ] = None,
    payload: Annotated[str | None, typer.Option(help="The permit's QR text.")] = None,
    quantity: Annotated[
        list[str] | None, typer.Option(help="LINE=QTY actually shipped (line from 1; default the full quantity).")
    ] = None,
    db: DbOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the outcome as one JSON object.")] = False,
) -> None:
    """Endorse a shipment: verify the permit (every check), then record per line the quantity shipped, the
    port, the time (UTC) and the officer. A permit covers one consignment and is used once: a second
    endorsement, even of the rest of a partial shipment, is refused and the first is shown.

    Exit codes: 0 recorded; 1 refused (permit NOT VALID, already used, quantity above the permit, an import permit);
    2 usage or input error (an unreadable permit or a bad --quantity is also printed, with --json, as
    status INPUT_ERROR).
    """
    from permits.errors import CitesError
    from permits.ledger import open_ledger
    from permits.ledger.endorsement import endorse_verified
    from permits.ledger.interface import EndorsementRefused
    from permits.verification.assembly import build_verifier

    try:
        text = _permit_text(file, payload)
        ledger = open_ledger(db, create_named=False)
        verdict = build_verifier(db).verify(text, source=str(file) if file else "--payload")
        use = endorse_verified(ledger, verdict, port, officer, post_name(), quantity or [])
    except EndorsementRefused as refused:
        if json_output:
            _print_json(False, refused.status, str(refused), refused.earlier)
        else:
            typer.echo(f"refused: {refused}", err=True)
        raise typer.Exit(1) from None
    except CitesError as error:
        if json_output:  # scripts get the JSON object too; the error line and exit code follow from main
            _print_json(False, "INPUT_ERROR", str(error), None)
        raise
    if json_output:
        _print_json(True, "ENDORSED", f"endorsed {use.describe()}", use)
        return
    permit = verdict.permit
    assert permit is not None  # only a VALID permit is endorsed
    lines = ", ".join(f"line {line}: {value} {permit.items[line - 1].unit}" for line, value in use.quantities.items())
    typer.echo(f"endorsed {use.document} {use.describe()}: {lines}")


def _print_json(endorsed: bool, status: str, reason: str, use: Use | None) -> None:
    typer.echo(json.dumps({"endorsed": endorsed, "status": status, "reason": reason,
                           "use": use.to_json() if use else None}))  # fmt: skip


def _permit_text(file: Path | None, payload: str | None) -> str:
    from permits.errors import InputError
    from permits.verification.inputs import the_permit_text

    if file is not None and payload is None:
        return the_permit_text(file)
    if payload is not None and file is None:
        return payload
    raise InputError("give exactly one permit: a FILE or --payload TEXT")
