"""Text files with one QR text per line, the way a handheld scanner types them (blank lines are skipped)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from permits.audit.inputs.interface import AuditInput, open_text

TEXT_SUFFIXES = frozenset({".txt", ".log", ".qr"})


class TextSource:
    """One QR text per line; the reference is ``FILE:LINE``."""

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in TEXT_SUFFIXES

    def inputs(self, path: Path) -> Iterator[AuditInput]:
        file = str(path)
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                text = line.strip()
                if text:
                    yield AuditInput(f"{file}:{number}", file, number, text=text)
