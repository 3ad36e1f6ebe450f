"""Reading permits from files: PDF pages and images in, permit QR texts out.

``read_payloads`` picks the input source from the file's first bytes (``sources/``), runs the attempt list
of ``pipeline`` with the decoders of ``decoders/`` on every page, and returns each permit text found with
where it was found. Unreadable, oversized or unsupported files raise ``InputError`` naming the file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from permits import limits
from permits.envelope import PREFIX
from permits.errors import InputError
from permits.reading.decoders.interface import Decoder
from permits.reading.interface import FoundPayload
from permits.reading.pipeline import read_page
from permits.reading.sources.images import ImageSource
from permits.reading.sources.interface import PageSource
from permits.reading.sources.pdf import PdfSource

SOURCES: tuple[PageSource, ...] = (PdfSource(), ImageSource())

__all__ = ["FoundPayload", "read_payloads"]


@cache
def available_decoders() -> dict[str, Decoder]:
    """zxing-cpp and zbar, keyed by name (built once per process)."""
    from permits.reading.decoders.zbar import ZbarDecoder
    from permits.reading.decoders.zxing import ZxingDecoder

    decoders: list[Decoder] = [ZxingDecoder(), ZbarDecoder()]
    return {decoder.name: decoder for decoder in decoders}


def read_payloads(path: Path, prefix: str = PREFIX) -> list[FoundPayload]:
    """Every permit QR text in the file, in page order."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{path}: is a directory")
        with open(path, "rb") as handle:
            header = handle.read(16)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    limits.enforce(size, limits.MAX_INPUT_FILE_BYTES, "bytes", str(path))
    source = next((candidate for candidate in SOURCES if candidate.accepts(header)), None)
    if source is None:
        raise InputError(f"{path}: unsupported file type (expected a PDF, PNG, JPEG, TIFF, BMP, GIF or WebP)")
    decoders = available_decoders()
    found: list[FoundPayload] = []
    for page in source.pages(path):
        texts, strategy = read_page(page.image, decoders, prefix)
        found.extend(FoundPayload(text, page.source, page.number, strategy or "") for text in texts)
    return found
