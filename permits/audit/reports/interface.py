"""What the audit's report writers do: row files (JSON Lines, CSV) and the summary page (HTML).

A row file is appended one record per report row, as the audit goes (``encode``), and read back record by
record for ``--resume`` (``records``), with the byte offsets that let a torn last record be cut off.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

if TYPE_CHECKING:
    from permits.audit.findings import FindingsTally
    from permits.audit.index import Summary

Row = dict[str, Any]
"""One report row (or finding) as JSON-ready data."""


@dataclass(frozen=True)
class Record:
    """A record read back from a row file: ``row`` is None when it is damaged (torn by a kill, or edited)."""

    row: Row | None
    start: int
    end: int


class RowFormat(Protocol):
    """A file format for rows."""

    def header(self) -> bytes:
        """What a new file starts with (empty for JSON Lines), UTF-8."""
        ...

    def encode(self, row: Row) -> bytes:
        """One record, UTF-8, ending with a line feed."""
        ...

    def records(self, handle: BinaryIO) -> Iterator[Record]:
        """Every record of a file this format wrote, from the start; ``InputError`` if it is another file."""
        ...


class PageFormat(Protocol):
    """A one-file summary of a whole audit."""

    def render(self, summary: Summary, findings: FindingsTally, provenance: list[tuple[str, str]]) -> str:
        """The page; ``provenance`` says what the audit was judged against and which files it wrote."""
        ...
