"""``cites ledger``: exchange records between posts, check the audit trail, list double-use alerts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from cli.options import DbOption, post_name

ledger_app = typer.Typer(
    help="The usage ledger: signed exports, imports, audit-trail check, alerts.", no_args_is_help=True
)


@ledger_app.command("export")
def export_records(
    since: Annotated[str, typer.Option(help="First day to export (YYYY-MM-DD).")],
    key: Annotated[Path, typer.Option(help="This post's private key (.key.pem), made with 'cites keys new'.")],
    out: Annotated[Path, typer.Option(help="The signed export file to write.")],
    db: DbOption = None,
) -> None:
    """Write this ledger's uses and register entries since a day as a file signed with the post's key."""
    from keys.keyfile import load_signing_key
    from keys.passphrase import passphrase_from_environment_or_prompt
    from keys.signed import parse_date
    from permits.ledger import open_ledger
    from permits.ledger.exchange import write_export

    first_day = parse_date(since, "--since")
    signing_key = load_signing_key(key, passphrase_from_environment_or_prompt)
    ledger = open_ledger(db)
    count = write_export(out, post_name(), signing_key, first_day, ledger.records_since(first_day))
    typer.echo(f"exported {count} record(s) since {first_day} to {out}")


@ledger_app.command("import")
def import_records(
    file: Annotated[Path, typer.Argument(help="A signed export from another post.")],
    from_key: Annotated[Path, typer.Option(help="That post's public key or certificate (exchanged beforehand).")],
    db: DbOption = None,
) -> None:
    """Merge another post's export (idempotent). Two different uses of one permit are kept and reported as a
    double-use alert. Exit codes: 0 merged; 1 double use found, or the file's signature is refused; 2 input error.
    """
    from keys.keyfile import load_public_key
    from permits.ledger import open_ledger
    from permits.ledger.exchange import read_export

    post, uses, registered = read_export(file, load_public_key(from_key))
    report = open_ledger(db).import_records(uses, registered, f"{post}: {file.name}", actor=post_name())
    typer.echo(
        f"imported from {post}: {report.new_uses} new use(s), {report.known_uses} already known; "
        f"{report.new_issued} new register entr(ies), {report.known_issued} already known"
    )
    for alert in report.alerts:
        typer.echo(f"ALERT: {alert.describe()}", err=True)
    if report.alerts:
        raise typer.Exit(1)


@ledger_app.command("check")
def check_chain(db: DbOption = None) -> None:
    """Recompute the audit trail's hash chain. Exit code 1 names the first entry altered, removed or inserted."""
    from permits.ledger import open_ledger

    report = open_ledger(db).check_chain()
    if report.problem:
        typer.echo(f"BROKEN at entry {report.broken_at}: {report.problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit trail intact: {report.entries} entries, head {report.head}")


@ledger_app.command("alerts")
def list_alerts(
    db: DbOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="JSON Lines output.")] = False,
) -> None:
    """List every double use found when importing other posts' records (exit code 1 if there is any)."""
    from permits.ledger import open_ledger

    alerts = open_ledger(db).alerts()
    for alert in alerts:
        if json_output:
            first, second = alert.first.to_json(), alert.second.to_json()
            typer.echo(json.dumps({"party": alert.party, "number": alert.number, "first": first, "second": second}))
        else:
            typer.echo(alert.describe())
    if alerts:
        raise typer.Exit(1)
    if not json_output:
        typer.echo(f"no double use recorded ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)")
