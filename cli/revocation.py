"""``cites revoke`` and ``cites revocations``: signed lists of revoked permits.

An issuing Management Authority records revocations in its register (``cites revoke``) and publishes the
register as a signed, versioned list (``cites revocations publish``); verifiers install each Party's list
(``cites revocations update``), and verification then reports a listed permit as REVOKED with date and reason.
The list format is in docs/FORMAT.md ("Revocation lists").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.options import DbOption, out_option, parse_day

if TYPE_CHECKING:
    from keys.keyfile import SigningKey

revocations_app = typer.Typer(
    help="Signed revoked-permit lists: publish your authority's list, install other Parties' lists.",
    no_args_is_help=True,
)


def _authority_key(path: Path) -> SigningKey:
    from keys.keyfile import load_signing_key
    from keys.passphrase import passphrase_from_environment_or_prompt
    from keys.trust.root import require_authority_key

    return require_authority_key(load_signing_key(path, passphrase_from_environment_or_prompt), path)


def revoke_command(
    number: Annotated[
        str, typer.Argument(help="The number of the permit to revoke (as the issuing register writes it, if there).")
    ],
    reason: Annotated[str, typer.Option(help="lost, stolen, replaced, error or other.")],
    key: Annotated[Path, typer.Option(help="Your Management Authority key (.key.pem): names your Party.")],
    date: Annotated[str | None, typer.Option(help="Date of revocation (default today; not in the future).")] = None,
    db: DbOption = None,
) -> None:
    """Revoke a permit your authority issued: it goes on your next published revocation list (and the
    ledger's audit trail records who revoked it).

    A number the ledger's issuing register holds written otherwise (``ke-2026-1`` for ``KE/2026/1``) is revoked
    as registered: a revocation list matches a permit by its number exactly as signed. A number missing from the
    register is revoked as given, with a warning (it may have been issued from another ledger).

    Exit codes: 0 recorded; 2 input error (bad reason, a date in the future or before the registered issue date,
    already revoked, unreadable key).
    """
    from keys.revocation.interface import RevocationReason
    from keys.revocation.register import revoke_permit
    from keys.signed import today_utc
    from permits import limits
    from permits.ledger import open_ledger
    from permits.model import one_line_name

    why = RevocationReason.parse(reason.strip().lower(), "--reason")
    today = today_utc()
    day = parse_day(date, "--date") if date else today
    given = one_line_name(number, "NUMBER", limits.MAX_CODE_CHARS)
    signer = _authority_key(key)
    revoked = revoke_permit(signer, given, why, day, today, open_ledger(db, create_named=False))
    party, number, revocation = signer.party, revoked.number, revoked.revocation
    if not revoked.registered:
        typer.echo(
            f"warning: {party} permit {number} is not in this ledger's issuing register "
            "(a typing error, or issued from another ledger?); it is revoked all the same",
            err=True,
        )
    elif number != given:
        typer.echo(f"{given} is {party} permit {number} in the issuing register: revoked as registered")
    typer.echo(f"revoked {party} permit {number} on {revocation.revoked} ({revocation.reason.value})")
    typer.echo("publish the list for verifiers: cites revocations publish --key KEY --out FILE")


@revocations_app.command("publish")
def publish(
    key: Annotated[Path, typer.Option(help="Your Management Authority key (.key.pem).")],
    out: Annotated[Path, out_option("The signed list to distribute.")],
    expires: Annotated[str | None, typer.Option(help="Last day the list is valid (default: in 30 days).")] = None,
) -> None:
    """Sign and write the next version of your authority's revocation list.

    Exit codes: 0 published; 2 input error.
    """
    from keys.revocation.register import DEFAULT_VALIDITY, Register
    from keys.signed import today_utc

    today = today_utc()
    until = parse_day(expires, "--expires") if expires else today + DEFAULT_VALIDITY
    signer = _authority_key(key)
    register = Register.load(signer.party)
    document = register.publish(signer, until, today, str(out))
    document.write(out)
    count = len(document.signed["entries"])
    typer.echo(f"published revocation list of {signer.party} v{register.version}: {count} permit(s), expires {until}")
    typer.echo(f"  {out}")


@revocations_app.command("update")
def update(
    list_file: Annotated[Path, typer.Argument(help="A Party's published revocation list.")],
) -> None:
    """Install a Party's revocation list: signed by a trusted key of that Party, newer, not expired.

    Exit codes: 0 installed; 1 refused (signature, rollback, expiry); 2 input error.
    """
    from keys.revocation.installed import install_revocation_list
    from keys.signed import today_utc
    from keys.trust.active import active_trust_source

    installed = install_revocation_list(list_file, active_trust_source(), today_utc())
    header = installed.header
    typer.echo(
        f"installed {installed.label} v{header.version}: {len(installed.entries)} permit(s), expires {header.expires}"
    )


@revocations_app.command("show")
def show(json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Show the installed revocation lists (one per Party)."""
    from keys.revocation.installed import installed_lists
    from keys.signed import today_utc

    today = today_utc()
    rows: list[dict[str, Any]] = [
        {
            "party": item.party,
            "version": item.header.version,
            "issued": item.header.issued.isoformat(),
            "expires": item.header.expires.isoformat(),
            "entries": len(item.entries),
            "expired": item.header.expired(today),
        }
        for item in installed_lists()
    ]
    if json_output:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no revocation lists installed (permits are then verified without a revocation check)")
    for row in rows:
        state = "EXPIRED" if row["expired"] else "current"
        typer.echo(
            f"{row['party']}  v{row['version']}  {row['entries']} permit(s)  issued {row['issued']}  "
            f"expires {row['expires']}  {state}"
        )
