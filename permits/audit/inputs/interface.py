"""What an audit input source does: recognise its files and stream the units of work they hold.

Every unit has a stable reference, the same from one run to the next (``FILE`` for a PDF or image, ``FILE:LINE``
for a line or record), so that ``--resume`` can tell which inputs a report already holds. Sources stream: a file
is read one line or record at a time, never loaded whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple, Protocol, TextIO


class AuditInput(NamedTuple):
    """One unit of work: a QR text (``text``), a document to read (neither ``text`` nor ``problem``), or why a
    line or file holds no permit (``problem``; ``unreadable`` when it could not even be read). A named tuple:
    inputs go to the worker processes in their thousands, and tuples pickle several times faster."""

    reference: str
    file: str
    line: int | None = None
    text: str | None = None
    problem: str | None = None
    unreadable: bool = False

    @property
    def is_document(self) -> bool:
        """A PDF or image: the worker reads its QR codes (the expensive part, so it runs in parallel)."""
        return self.text is None and self.problem is None


class InputSource(Protocol):
    """A kind of input file."""

    def accepts(self, path: Path) -> bool:
        """True if ``path`` is a file of this kind."""
        ...

    def inputs(self, path: Path) -> Iterator[AuditInput]:
        """The units of work in the file, in file order; a file that cannot be opened gives one unreadable unit."""
        ...


def open_text(path: Path, encoding: str = "utf-8-sig") -> TextIO:
    """Open a line-based input: UTF-8 (a byte-order mark is skipped, undecodable bytes replaced) unless another
    ``encoding`` is given, line ends kept for the CSV reader. ``OSError`` propagates: the dispatcher turns it into
    one unreadable input."""
    return open(path, encoding=encoding, errors="replace", newline="")
