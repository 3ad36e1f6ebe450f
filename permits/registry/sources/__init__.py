"""Importers that turn official CITES / Species+ exports (and the registry's own YAML) into registry records.

``detect_format`` tells the format of a file from its content (header row, JSON shape, YAML marker), and
``open_sources`` creates the matching sources for a list of files (Species+ API responses are read together,
so that listing histories can join their taxon concepts).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from permits.errors import InputError
from permits.registry.sources import checklist_history, checklist_index, speciesplus_csv
from permits.registry.sources.checklist_history import ChecklistHistorySource
from permits.registry.sources.checklist_index import ChecklistIndexSource
from permits.registry.sources.embedded import FORMAT as REGISTRY_FORMAT
from permits.registry.sources.embedded import EmbeddedSource
from permits.registry.sources.interface import ImportWarning, RegistrySource
from permits.registry.sources.speciesplus_api import SIGNATURE_KEYS, SpeciesPlusApiSource
from permits.registry.sources.speciesplus_csv import SpeciesPlusCsvSource
from permits.registry.sources.tabular import header_index, read_prefix

__all__ = [
    "ChecklistHistorySource",
    "ChecklistIndexSource",
    "EmbeddedSource",
    "ImportWarning",
    "RegistrySource",
    "SpeciesPlusApiSource",
    "SpeciesPlusCsvSource",
    "detect_format",
    "open_sources",
]

_CSV_FORMATS = (
    (ChecklistIndexSource.format_name, checklist_index.COLUMNS, checklist_index.SIGNATURE),
    (ChecklistHistorySource.format_name, checklist_history.COLUMNS, checklist_history.SIGNATURE),
    (SpeciesPlusCsvSource.format_name, speciesplus_csv.COLUMNS, speciesplus_csv.SIGNATURE),
)
_EXPECTED = (
    "a CITES Checklist Index or History CSV, a Species+ CITES listings CSV, Species+ API JSON "
    f"or a '{REGISTRY_FORMAT}' YAML file"
)


def detect_format(path: Path) -> str:
    """The format name of ``path``: checklist-index, checklist-history, speciesplus-csv, speciesplus-api or
    cites-registry. Raises ``InputError`` when the file cannot be read or is none of them."""
    head = read_prefix(path)
    text = head.lstrip()
    if text.startswith(("{", "[")):
        if any(f'"{key}"' in head for key in SIGNATURE_KEYS):
            return SpeciesPlusApiSource.format_name
        raise InputError(f"{path}: JSON but not a Species+ API response; expected {_EXPECTED}")
    if re.search(rf"(?m)^format:\s*['\"]?{re.escape(REGISTRY_FORMAT)}", head):
        return EmbeddedSource.format_name
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        header = []
    for name, columns, signature in _CSV_FORMATS:
        index = header_index(header, columns)
        if all(column in index for column in signature):
            return name
    raise InputError(f"{path}: unknown format; expected {_EXPECTED}")


def open_sources(paths: Sequence[Path]) -> list[RegistrySource]:
    """One source per file, except Species+ API files, which share one source (in the order given)."""
    sources: list[RegistrySource] = []
    api_paths: list[Path] = []
    for path in paths:
        name = detect_format(path)
        if name == SpeciesPlusApiSource.format_name:
            api_paths.append(path)
        elif name == ChecklistIndexSource.format_name:
            sources.append(ChecklistIndexSource(path))
        elif name == ChecklistHistorySource.format_name:
            sources.append(ChecklistHistorySource(path))
        elif name == SpeciesPlusCsvSource.format_name:
            sources.append(SpeciesPlusCsvSource(path))
        else:
            sources.append(EmbeddedSource(path))
    if api_paths:
        sources.append(SpeciesPlusApiSource(api_paths))
    return sources
