"""``cites ledger``: exchange records between posts, check and show the audit trail, list alerts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.options import DbOption, out_option, parse_day, party_code, post_name

if TYPE_CHECKING:
    from permits.ledger.interface import Alert, Event

ledger_app = typer.Typer(
    help="The usage ledger: signed exports and imports, audit trail check and view, alerts.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="JSON output (one object per line).")]


@ledger_app.command("init")
def init_ledger(db: DbOption = None) -> None:
    """Create the ledger (a SQLite file, or its tables in an existing PostgreSQL database), or bring an existing
    one to this version's schema. A ledger named with --db or CITES_DB_URL is created only so: issue, endorse,
    revoke and import refuse a name with no ledger (a mistyped one would be a new, empty ledger in which no
    permit was ever used or issued). The post's own ledger (CITES_HOME/ledger.sqlite) needs no init.

    Exit codes: 0 the ledger is ready; 2 it cannot be created or opened (bad URL, unreachable server, a folder).
    """
    from permits.ledger import open_ledger

    typer.echo(f"ledger ready: {open_ledger(db).location}")


@ledger_app.command("export")
def export_records(
    since: Annotated[str, typer.Option(help="First day to export (YYYY-MM-DD, UTC).")],
    key: Annotated[Path, typer.Option(help="This post's private key (.key.pem), made with 'cites keys new'.")],
    out: Annotated[Path, out_option("The signed export file to write.")],
    db: DbOption = None,
) -> None:
    """Write this ledger's uses, register entries and audit-trail entries since a day, signed with the post's
    key (the post's name is CITES_POST, else the host name)."""
    from keys.keyfile import load_signing_key
    from keys.passphrase import passphrase_from_environment_or_prompt
    from permits.ledger import open_ledger
    from permits.ledger.exchange import write_export

    first_day = parse_day(since, "--since")
    ledger = open_ledger(db, existing=True)
    signing_key = load_signing_key(key, passphrase_from_environment_or_prompt)
    records = ledger.records_since(first_day)
    write_export(out, post_name(), signing_key, first_day, records)
    typer.echo(
        f"exported {len(records.uses)} use(s), {len(records.issued)} register entr(ies) and "
        f"{len(records.events)} audit entr(ies) since {first_day} to {out}"
    )


@ledger_app.command("import")
def import_records(
    file: Annotated[Path, typer.Argument(help="A signed export from another post.")],
    from_key: Annotated[Path, typer.Option(help="That post's public key or certificate (exchanged beforehand).")],
    db: DbOption = None,
) -> None:
    """Merge another post's export; importing a file again changes nothing. What contradicts this ledger (two
    different uses of one permit, a number or security stamp registered twice, a rewritten audit trail) is
    kept as an alert, printed, never merged.

    Entries of the post's audit trail missing between those held (an export not imported) are named in a
    warning: a forked trail there is seen only once they arrive.

    Exit codes: 0 merged; 1 alerts found; 2 input error, or the file is refused (tampered, signed by another
    key than --from-key): nothing merged.
    """
    from keys.keyfile import load_public_key
    from permits.ledger import open_ledger
    from permits.ledger.exchange import read_export

    export = read_export(file, load_public_key(from_key))
    report = open_ledger(db, create_named=False).import_records(export, actor=post_name())
    counts = "; ".join(
        f"{label} {report.added[kind]} new, {report.known[kind]} known"
        for kind, label in (("uses", "uses"), ("issued", "register"), ("events", "audit entries"))
    )
    typer.echo(f"imported from {export.post} (key {export.signer[:16]}): {counts}")
    if report.gaps:
        typer.echo(_gaps_warning(report.gaps), err=True)
    _report_alerts(report.alerts, json_output=False, err=True)


def _gaps_warning(gaps: list[tuple[int, int]], listed: int = 5) -> str:
    stretches = [str(first) if first == last else f"{first}-{last}" for first, last in gaps]
    more = f" and {len(stretches) - listed} more stretches" if len(stretches) > listed else ""
    return (
        f"warning: entries {', '.join(stretches[:listed])}{more} of that post's audit trail are missing here: a "
        "rewritten history there shows only once an export holding them is imported"
    )


@ledger_app.command("check")
def check_chain(db: DbOption = None) -> None:
    """Recompute the audit trail's hash chain (and the entries imported from other posts).

    Exit codes: 0 intact (prints the entry count and head hash); 1 names the first entry altered, removed or
    inserted, an endorse, issue or import entry whose rows or alerts are gone or edited, or a register row
    whose stamp no longer blocks a re-use.
    """
    from permits.ledger import open_ledger

    report = open_ledger(db, existing=True).check_chain()
    if report.problem:
        where = f" at entry {report.broken_at}" if report.broken_at is not None else ""
        typer.echo(f"BROKEN{where}: {report.problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit trail intact: {report.entries} entries, head {report.head}")


@ledger_app.command("show")
def show(
    party: Annotated[str | None, typer.Argument(help="The issuing Party of a permit to show, e.g. KE.")] = None,
    number: Annotated[str | None, typer.Argument(help="Its permit number.")] = None,
    last: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Without a permit: how many of the newest entries.")
    ] = 20,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Without a permit: the newest audit-trail entries. With PARTY NUMBER: the permit's register entry, its
    use (Box 14), its alerts and its audit-trail entries. A number the register holds written otherwise
    (``ke-2026-1`` for ``KE/2026/1``) shows the permit as registered."""
    from permits import limits
    from permits.errors import InputError
    from permits.ledger import open_ledger
    from permits.ledger.history import permit_history
    from permits.model import one_line_name

    ledger = open_ledger(db, existing=True)
    if party is None:
        for event in ledger.events(last=last):
            _say(json.dumps(event.to_json()) if json_output else _event_line(event))
        return
    if number is None:
        raise InputError("give the permit as PARTY NUMBER, e.g. 'cites ledger show KE KE/2026/ZOO/0001'")
    given = one_line_name(number, "NUMBER", limits.MAX_CODE_CHARS)
    history = permit_history(ledger, party_code(party, "PARTY"), given)  # the Party as the ledger stores it
    if json_output:
        typer.echo(json.dumps(history.to_json()))
        return
    _say(history.document if history.number == given else f"{history.document} (given as {given})")
    issued, use = history.issued, history.use
    if issued is None:
        _say("  register: not in this ledger")
    else:
        _say(f"  register: issued {issued.issued_on} (stamp {issued.security_stamp}, kid {issued.kid})")
    if use is None:
        _say("  use: not used")
    else:
        shipped = ", ".join(f"line {line}: {quantity}" for line, quantity in use.to_json()["quantities"].items())
        _say(f"  use: {use.describe()}; {shipped}")
    for alert in history.alerts:
        _say(f"  ALERT: {alert.describe()}")
    for event in history.events:
        _say(f"  {_event_line(event)}")


@ledger_app.command("alerts")
def list_alerts(db: DbOption = None, json_output: JsonOption = False) -> None:
    """List every alert imports found (double uses, ...). Exit code 1 if there is any."""
    from permits.ledger import open_ledger

    alerts = open_ledger(db, existing=True).alerts()
    _report_alerts(alerts, json_output, err=False)
    if not alerts and not json_output:
        typer.echo("no alerts")


def _report_alerts(alerts: list[Alert], json_output: bool, err: bool) -> None:
    """Print each alert (JSON Lines, or one ALERT line each); exit code 1 if there is any."""
    for alert in alerts:
        _say(json.dumps(alert.to_json()) if json_output else f"ALERT: {alert.describe()}", err=err)
    if alerts:
        raise typer.Exit(1)


def _say(line: str, err: bool = False) -> None:
    """Print one line that holds text from the ledger (ports, officers, audit-trail entries: some came in another
    post's export) with every control, line break or bidirectional character escaped: no forged line, no
    terminal escape sequence, no text reordered on screen."""
    from permits.output.terminal import one_line_safe

    typer.echo(one_line_safe(line), err=err)


def _event_line(event: Event) -> str:
    return f"#{event.seq} {event.at[:19]}Z {event.action} {event.document} by {event.actor}: {event.details}"
