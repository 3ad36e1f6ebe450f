"""``cites endorse``: Box 14 at the border: verify the permit, then record the shipment in the usage ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.options import DbOption, post_name


def endorse_command(
    port: Annotated[str, typer.Option(help="Port of export (or import), e.g. 'Mombasa seaport'.")],
    officer: Annotated[str, typer.Option(help="The customs officer endorsing the shipment.")],
    file: Annotated[Path | None, typer.Argument(help="The permit: PDF or image (or use --payload).")] = None,
    payload: Annotated[str | None, typer.Option(help="The permit's QR text.")] = None,
    quantity: Annotated[
        list[str] | None, typer.Option(help="LINE=QTY actually shipped (line from 1; default the full quantity).")
    ] = None,
    db: DbOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the recorded use as JSON.")] = False,
) -> None:
    """Endorse a shipment: verify the permit (every check), then record per line the quantity shipped, the
    port, the time and the officer. A permit is used once: a second endorsement is refused with the first.

    Exit codes: 0 recorded; 1 refused (permit NOT VALID, already used, quantity above the permit);
    2 usage or input error.
    """
    from permits.ledger import open_ledger
    from permits.ledger.endorsement import new_use, parse_quantities
    from permits.verification.assembly import build_verifier

    text = _permit_text(file, payload)
    ledger = open_ledger(db)
    verdict = build_verifier(db).verify(text, source=str(file) if file else "--payload")
    if not verdict.valid or verdict.permit is None:
        typer.echo(f"refused: the permit is NOT VALID ({verdict.status.value}): {verdict.reason}", err=True)
        raise typer.Exit(1)
    permit = verdict.permit
    use = new_use(permit, port, officer, post_name(), parse_quantities(quantity or [], permit))
    ledger.endorse(use, actor=officer)
    if json_output:
        typer.echo(json.dumps(use.to_json()))
        return
    lines = ", ".join(f"line {line}: {value} {permit.items[line - 1].unit}" for line, value in use.quantities.items())
    typer.echo(f"endorsed {permit.issuing_party} {permit.number} {use.describe()}: {lines}")


def _permit_text(file: Path | None, payload: str | None) -> str:
    from permits.errors import InputError
    from permits.reading import read_payloads

    if (file is None) == (payload is None):
        raise InputError("give exactly one permit: a FILE or --payload TEXT")
    if payload is not None:
        return payload
    assert file is not None
    found = read_payloads(file)
    if len(found) != 1:
        raise InputError(f"{file}: holds {len(found)} permit QR codes; endorse exactly one (use --payload)")
    return found[0].text
