"""What an input source does: recognise its files by their first bytes and yield their pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from permits.reading.interface import Page


class PageSource(Protocol):
    """A kind of file that holds page images."""

    name: str

    def accepts(self, header: bytes) -> bool:
        """True if a file starting with ``header`` (its first 16 bytes) is of this kind."""
        ...

    def pages(self, path: Path) -> Iterator[Page]:
        """Every page of the file; raises ``InputError`` naming the file when it cannot be read."""
        ...
