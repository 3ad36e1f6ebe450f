"""``cites issue``: turn a permit description into a signed, printable permit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.options import DbOption, out_option


def issue_command(
    description: Annotated[Path, typer.Argument(help="Permit description, YAML or JSON (see examples/).")],
    key: Annotated[Path, typer.Option(help="The Management Authority's private key (.key.pem).")],
    out: Annotated[
        Path, out_option("Directory for the .pdf, .png and .txt, named after the permit number (KE-2026-ZOO-0001.pdf).")
    ] = Path("."),
    db: DbOption = None,
) -> None:
    """Validate, sign and print a permit: writes the PDF form, the QR image and the QR text.

    Every CITES rule runs first: an error refuses the permit, listing every failure (exit 2, nothing written).
    Every issued permit is recorded in the issuing register (the usage ledger): a number or security stamp
    the Party already used is refused, however it is written (ke-2026-1 is KE/2026/1). Warnings are printed and
    the permit is issued.

    Exit codes: 0 issued; 2 invalid description or key, a CITES rule broken, or a duplicate number or stamp.
    """
    from keys.keyfile import load_signing_key
    from keys.passphrase import passphrase_from_environment_or_prompt
    from permits.description import load_permit
    from permits.issuing import issue
    from permits.ledger import open_ledger
    from permits.registry.default import load_registry

    permit = load_permit(description)
    signing_key = load_signing_key(key, passphrase_from_environment_or_prompt)
    issued = issue(permit, signing_key, out, load_registry(), open_ledger(db, create_named=False))
    for warning in issued.warnings:
        typer.echo(f"warning: {warning.describe()}", err=True)
    for note in issued.print_warnings:
        typer.echo(f"warning: {note}", err=True)
    title = permit.document_type.in_words
    typer.echo(f"issued {title} {permit.number} (valid until {permit.valid_until})")
    typer.echo(f"  {issued.pdf}\n  {issued.png}\n  {issued.txt}")
