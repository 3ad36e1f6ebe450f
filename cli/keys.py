"""``cites keys``: create Management Authority signing keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.options import out_option, party_code, signature_algorithm

keys_app = typer.Typer(
    help="Create Management Authority signing keys (encrypted, with a public key and a certificate).",
    no_args_is_help=True,
)


@keys_app.command("new")
def new_key(
    party: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code of the Party, e.g. KE.")],
    authority: Annotated[str, typer.Option(help="Name of the Management Authority.")],
    alg: Annotated[str, typer.Option(help="Signature algorithm: ES256 (default) or EdDSA.")] = "ES256",
    out: Annotated[Path | None, out_option("Directory for the key files (default: $CITES_HOME/keys).")] = None,
) -> None:
    """Create a signing key: encrypted private key (0600), public key and self-signed certificate.

    The passphrase comes from CITES_KEY_PASSPHRASE or a prompt. Prints the key id (kid).
    """
    from keys.keyfile import generate_key
    from keys.passphrase import passphrase_from_environment_or_prompt
    from permits.home import state_folder
    from permits.model import one_line_name

    code = party_code(party)
    name = one_line_name(authority, "--authority")  # it goes into the certificate and every verdict
    algorithm = signature_algorithm(alg)
    directory = out or state_folder("keys")
    files = generate_key(code, name, algorithm, directory, passphrase_from_environment_or_prompt)
    typer.echo(f"kid: {files.kid.hex()}")
    typer.echo(f"private key: {files.private} (encrypted, mode 0600)")
    typer.echo(f"public key:  {files.public}")
    typer.echo(f"certificate: {files.certificate}")
