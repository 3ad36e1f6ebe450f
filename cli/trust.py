"""``cites trust``: the local trust store of Management Authority keys (development mode)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

trust_app = typer.Typer(help="Manage the keys this machine trusts to sign permits.", no_args_is_help=True)


@trust_app.command("add")
def add_key(
    key_file: Annotated[Path, typer.Argument(help="Public key (PEM/DER) or X.509 certificate of the authority.")],
    party: Annotated[str, typer.Option(help="Party the key signs for (ISO alpha-2); pinned with the key.")],
    authority: Annotated[str | None, typer.Option(help="Authority name (default: from the certificate).")] = None,
) -> None:
    """Trust a Management Authority key for one Party, pinned to its algorithm."""
    from keys.keyfile import load_public_key
    from keys.trust.local import LocalTrustStore
    from permits.errors import InputError
    from permits.model import is_iso_country

    if not is_iso_country(party.strip().upper()):
        raise InputError(f"--party: '{party}' is not an ISO 3166-1 alpha-2 country code")
    store = LocalTrustStore.load()
    key = store.add(load_public_key(key_file), party, authority)
    store.save()
    typer.echo(f"trusted {key.algorithm.value} key {key.kid.hex()} for {key.party} ({key.authority})")


@trust_app.command("list")
def list_keys(json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List the trusted keys."""
    from keys.trust.local import LocalTrustStore

    store = LocalTrustStore.load()
    rows = [
        {"kid": key.kid.hex(), "party": key.party, "authority": key.authority, "alg": key.algorithm.value}
        for key in store.keys
    ]
    if json_output:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo(f"no trusted keys ({store.path})")
        return
    for row in rows:
        typer.echo(f"{row['kid']}  {row['party']}  {row['alg']:<6} {row['authority']}")


@trust_app.command("remove")
def remove_key(
    kid: Annotated[str, typer.Argument(help="The kid (16 hex digits) of the key to stop trusting.")],
) -> None:
    """Stop trusting a key."""
    from keys.trust.local import LocalTrustStore

    store = LocalTrustStore.load()
    removed = store.remove(kid)
    store.save()
    for key in removed:
        typer.echo(f"removed {key.kid.hex()} ({key.party}, {key.authority})")
