"""PDFs and images (PNG, JPEG, TIFF, BMP, GIF, WebP, HEIC): each file is one unit, read in a worker with
``permits.reading.read_payloads`` (every page, every permit QR code on it). Known by suffix, or by its first
bytes for a text file (a PDF saved as ``.txt``) and for a file of another suffix named on the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from permits.audit.inputs.interface import AuditInput

DOCUMENT_SUFFIXES = frozenset(
    {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".heic", ".heif"}
)


class DocumentSource:
    """A PDF or image file; the reference is the file (its rows carry the page)."""

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in DOCUMENT_SUFFIXES

    def accepts_content(self, path: Path) -> bool:
        """True if the file's first bytes are those of a PDF or image the reader supports."""
        from permits.reading import SOURCES

        try:
            with open(path, "rb") as handle:
                header = handle.read(16)
        except OSError:
            return False
        return any(source.accepts(header) for source in SOURCES)

    def inputs(self, path: Path) -> Iterator[AuditInput]:
        yield AuditInput(str(path), str(path))
