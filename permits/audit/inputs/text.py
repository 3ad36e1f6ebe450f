"""Text files with one QR text per line, the way a handheld scanner types them (blank lines are skipped)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from permits import limits
from permits.audit.inputs.interface import AuditInput, open_text
from permits.fileio import bounded_lines

TEXT_SUFFIXES = frozenset({".txt", ".log", ".qr"})
SNIFFED_BYTES = 8192


class TextSource:
    """One QR text per line; the reference is ``FILE:LINE``. A file without any is one input without a permit;
    a binary file (a NUL byte in its first 8 KiB) is one unreadable input."""

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in TEXT_SUFFIXES

    def inputs(self, path: Path) -> Iterator[AuditInput]:
        file = str(path)
        problem = binary_problem(path)
        if problem is not None:
            yield AuditInput(file, file, problem=problem, unreadable=True)
            return
        found = False
        with open_text(path) as handle:
            for number, line in enumerate(bounded_lines(handle), start=1):
                if line is None:
                    found = True
                    yield AuditInput(f"{file}:{number}", file, number, problem=limits.LINE_TOO_LONG, unreadable=True)
                elif text := line.strip():
                    found = True
                    yield AuditInput(f"{file}:{number}", file, number, text=text)
        if not found:
            yield AuditInput(file, file, problem=f"no QR text in {file}")


def binary_problem(path: Path) -> str | None:
    """Why ``path``, named as a text file, is not one (a NUL byte early on), or None. ``OSError`` propagates."""
    with open(path, "rb") as handle:
        start = handle.read(SNIFFED_BYTES)
    return f"{path}: not a text file (binary content)" if b"\0" in start else None
