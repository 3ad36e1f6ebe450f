"""``cites registry``: the species registry (which Appendix a taxon is in): import official exports, look a
name up on a date for an origin, and show what the registry holds.

Heavy modules (the registry, rich) are imported inside the commands so that ``cites --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.options import parse_day, party_code

if TYPE_CHECKING:
    import datetime as dt

    from permits.registry import LookupResult, Taxon

MAX_WARNINGS_SHOWN = 20

registry_app = typer.Typer(
    help="The species registry: which CITES Appendix a taxon was in on a date (import, lookup, info).",
    no_args_is_help=True,
)


def _parse_date(value: str | None) -> dt.date:
    """``--at``: a ``YYYY-MM-DD`` date, as every date option takes it; default today (the UTC day, as every other
    date of the tool)."""
    from keys.signed import today_utc

    return today_utc() if value is None else parse_day(value, "--at")


def _parse_origin(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code, as ``--party`` takes it: ``ZZ`` or ``UK`` (for GB) would name no country, and
    a split listing would be read for none."""
    return None if value is None else party_code(value, "--origin")


@registry_app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="Export files (CSV, CSV.gz, Species+ API JSON, registry YAML).")],
    merge: Annotated[
        bool,
        typer.Option(
            "--merge/--replace",
            help="Add to the current registry (taxa in the files replace the same taxa) or replace it (default).",
        ),
    ] = False,
) -> None:
    """Build the registry from official exports; the format of each file is detected from its content.

    Reads CITES Checklist Index and History CSV, Species+ CITES listings CSV and Species+ API JSON (several
    API responses are read together). The registry is replaced atomically: on error it is unchanged.
    """
    from permits.registry import import_files

    report = import_files(files, merge=merge)
    for warning in report.warnings[:MAX_WARNINGS_SHOWN]:
        typer.echo(f"warning: {warning}", err=True)
    hidden = len(report.warnings) - MAX_WARNINGS_SHOWN
    if hidden > 0:
        typer.echo(f"warning: ... and {hidden} more", err=True)
    info = report.registry.info()
    report.registry.close()
    typer.echo(
        f"imported {report.imported} taxa ({len(report.warnings)} warnings); the registry now holds "
        f"{info.taxa} taxa, {info.names} names ({_ambiguous(info.ambiguous_names)}) and "
        f"{info.listing_changes} listing changes: {info.path}"
    )


def _ambiguous(count: int) -> str:
    """How many names are synonyms of several taxa, in words."""
    return f"{count} synonym{'s' if count != 1 else ''} of several taxa"


@registry_app.command("lookup")
def lookup_command(
    name: Annotated[str, typer.Argument(help="Scientific name (accepted name or synonym), e.g. 'Manis javanica'.")],
    at: Annotated[
        str | None, typer.Option("--at", help="Date of the listing, YYYY-MM-DD (default: today, UTC).")
    ] = None,
    origin: Annotated[
        str | None, typer.Option("--origin", help="Country of origin (ISO alpha-2), for split listings.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Show the CITES Appendix of a taxon on a date: accepted name, Appendix, the listing it falls under,
    listing Party, annotation and effective date, or close names when the name is unknown. A synonym of several
    taxa shows the strictest one's listing and every taxon it may mean (candidates)."""
    from permits import limits
    from permits.errors import InputError
    from permits.registry import load_registry

    if not name.strip():
        raise InputError("the name is empty: give a scientific name, e.g. 'Manis javanica'")
    limits.enforce(len(name), limits.MAX_NAME_CHARS, "characters", "NAME")
    on, country = _parse_date(at), _parse_origin(origin)
    with load_registry() as registry:
        result = registry.listing_at(name, on, country)
        taxon = registry.taxon(name) if result.found else None
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_lookup(result, taxon)


def _print_lookup(result: LookupResult, taxon: Taxon | None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    candidates = ", ".join(str(candidate) for candidate in result.candidates) or None
    if not result.found:
        console.print(f"[bold red]unknown name[/]: {escape(result.query)}")
        if result.annotation:
            console.print(escape(result.annotation))
        if candidates:
            console.print(f"candidates: {escape(candidates)}")
        if result.suggestions:
            console.print("did you mean: " + ", ".join(escape(s) for s in result.suggestions))
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    rows: list[tuple[str, str | None]] = [
        ("name", _name(result)),
        ("candidates", candidates),
        ("common names", _common_names(taxon)),
        ("rank", result.rank),
        ("kingdom", result.kingdom),
        ("appendix", result.appendix or "not listed"),
        ("listed under", result.listed_under),
        ("party", ", ".join(result.parties) if len(result.parties) > 1 else result.party),
        ("effective", result.effective_at.isoformat() if result.effective_at else None),
        ("annotation", " ".join(filter(None, (result.annotation_symbol, result.annotation))) or None),
        ("reservations", ", ".join(result.reservations) or None),
        ("on", result.on.isoformat() + (f", origin {result.origin}" if result.origin else "")),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, escape(value))
    console.print(table)


def _name(result: LookupResult) -> str | None:
    """The accepted name, and the synonym that was given; a synonym of several taxa, how many."""
    if result.candidates:
        return f"{result.matched_name} (synonym of {len(result.candidates)} taxa)"
    return f"{result.accepted_name} (synonym {result.matched_name})" if result.is_synonym else result.accepted_name


def _common_names(taxon: Taxon | None) -> str | None:
    if taxon is None:
        return None
    english = [c.name for c in taxon.common_names if c.language == "en"]
    return ", ".join(english[:3]) or None


@registry_app.command("info")
def info_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the information as JSON.")] = False,
) -> None:
    """Show the registry's source, as-of date and size."""
    from permits.registry import load_registry

    with load_registry() as registry:
        info = registry.info()
    if as_json:
        typer.echo(json.dumps(info.to_json(), indent=2))
        return
    lines = [
        ("registry", info.path),
        ("source", info.source),
        ("origin", info.origin + (f" (data version {info.data_version})" if info.data_version else "")),
        ("as of", info.as_of.isoformat() if info.as_of else "unknown"),
        ("built", info.built_at),
        ("taxa", str(info.taxa)),
        ("names", f"{info.names} ({info.synonyms} synonyms, {_ambiguous(info.ambiguous_names)})"),
        ("listing changes", str(info.listing_changes)),
    ]
    for label, value in lines:
        typer.echo(f"{label + ':':<17}{value}")
