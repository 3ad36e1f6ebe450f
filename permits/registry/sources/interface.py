"""What a registry source is: something that reads one export format and yields ``TaxonRecord``s, collecting a
warning (with its line number) for every row it had to skip or could only partly use.

Sources never abort on a bad row; only an unreadable file or an unknown format raises ``InputError``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from permits.registry.model import TaxonRecord


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """A problem in an input file that did not stop the import: file, line (when known) and message."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


class RegistrySource(ABC):
    """One input (a file, or for the Species+ API a set of recorded responses) in one format."""

    format_name: str
    """Short name of the format, as ``detect_format`` reports it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[ImportWarning] = []
        self.as_of: dt.date | None = None
        """The date the data describe, when the source tells (set once ``records`` has run)."""

    @property
    def description(self) -> str:
        return f"{self.format_name}: {self.path.name}"

    def warn(self, line: int | None, message: str, path: Path | None = None) -> None:
        """Record a problem at ``line`` of ``path`` (default: the source's file)."""
        self.warnings.append(ImportWarning(str(path or self.path), line, message))

    @abstractmethod
    def records(self) -> Iterator[TaxonRecord]:
        """Read the input and yield its taxa; problems go to ``warnings``."""
