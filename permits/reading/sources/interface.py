"""What an input source is: a kind of file, recognised by its first bytes, that yields grey page images."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from permits.reading.interface import Page

HEADER_BYTES = 16
"""How many leading bytes ``PageSource.accepts`` is given (fewer for a shorter file)."""


class PageSource(Protocol):
    """A kind of file that holds page images."""

    name: str

    def accepts(self, header: bytes) -> bool:
        """True if a file starting with ``header`` (its first ``HEADER_BYTES`` bytes) is of this kind."""
        ...

    def pages(self, path: Path) -> Iterator[Page]:
        """Every page of the file, one at a time, in order.

        Raises ``InputError`` naming the file when it cannot be read, or when it is over a limit of
        ``permits.limits`` (pixels, pages); limits are checked before the pixels they bound are decoded.
        """
        ...
