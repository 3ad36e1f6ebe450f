"""The registry the tool uses: ``$CITES_HOME/registry.sqlite``, compiled from the embedded default data on
first use, or replaced by ``import_files`` with official exports.

A file compiled from the embedded data is recompiled whenever the embedded data change (their version is
stored in the file). A file built from imports is never replaced behind the user's back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from permits.errors import ConfigurationError, InputError
from permits.home import state_path
from permits.registry.model import TaxonRecord
from permits.registry.store import Registry, read_only_uri

EMBEDDED_ORIGIN = "embedded"
IMPORTED_ORIGIN = "imported"


def default_registry_path() -> Path:
    """Where the registry lives: ``registry.sqlite`` in the state directory (``CITES_HOME``)."""
    return state_path("registry.sqlite")


def compile_embedded(path: Path) -> Registry:
    """Compile the embedded default data into a registry at ``path``."""
    from permits.registry.sources.embedded import EmbeddedSource, data_version

    source = EmbeddedSource()
    records = list(source.records())
    return Registry.build(
        path, records, source.description, source.as_of, origin=EMBEDDED_ORIGIN, data_version=data_version()
    )


def load_registry(path: Path | None = None) -> Registry:
    """Open the registry, compiling the embedded default first if the file is missing or was compiled from
    an older version of the embedded data."""
    from permits.registry.sources.embedded import data_version

    target = path or default_registry_path()
    if not target.exists():
        return compile_embedded(target)
    try:
        registry = Registry.open(target)
    except (ConfigurationError, InputError):
        if _compiled_from_embedded(target):
            return compile_embedded(target)
        raise
    info = registry.info()
    if info.origin == EMBEDDED_ORIGIN and info.data_version != data_version():
        registry.close()
        return compile_embedded(target)
    return registry


def _compiled_from_embedded(path: Path) -> bool:
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(read_only_uri(path), uri=True)) as connection:
            row = connection.execute("SELECT value FROM meta WHERE key = 'origin'").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and row[0] == EMBEDDED_ORIGIN


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The result of ``import_files``: the new registry and every warning of every source."""

    registry: Registry
    warnings: list[str]
    imported: int


def import_files(paths: Sequence[Path], merge: bool = False, target: Path | None = None) -> ImportReport:
    """Build the registry from ``paths`` (formats detected), replacing it, or with ``merge`` adding to it
    (a taxon in the new files replaces the same taxon in the registry). Atomic: on any error the registry
    is unchanged."""
    from permits.registry.sources import open_sources

    destination = target or default_registry_path()
    sources = open_sources(paths)
    records: list[TaxonRecord] = []
    for source in sources:
        records += source.records()
    if not records:
        names = ", ".join(str(path) for path in paths)
        raise InputError(f"{names}: no taxa found; the registry is unchanged")
    description = "; ".join(source.description for source in sources)
    dates = [source.as_of for source in sources if source.as_of]
    as_of: dt.date | None = max(dates) if dates else None
    imported = len(records)
    if merge and destination.exists():
        with load_registry(destination) as existing:
            info = existing.info()
            records = [*existing.records(), *records]
            description = f"{info.source}; merged with {description}"
            as_of = max(filter(None, (as_of, info.as_of)), default=None)
    registry = Registry.build(destination, records, description, as_of, origin=IMPORTED_ORIGIN)
    warnings = [str(warning) for source in sources for warning in source.warnings]
    return ImportReport(registry, warnings, imported)
