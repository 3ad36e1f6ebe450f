"""Reading permits from files: PDF pages, scans and photos in, permit QR texts out.

``read_payloads`` recognises the file by its first bytes (``SOURCES``, one per kind of file in ``sources/``),
runs the attempts of ``pipeline.ATTEMPTS`` with the decoders of ``decoders/`` on each page in turn, and returns
every permit text found with where it was found. Missing, unreadable, oversized and unsupported files raise
``InputError`` naming the file; a readable file without a permit QR code gives an empty list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from permits import limits
from permits.envelope import PREFIX
from permits.errors import InputError
from permits.fileio import require_regular_file
from permits.reading.decoders.interface import Decoder
from permits.reading.decoders.zbar import ZbarDecoder
from permits.reading.decoders.zxing import ZxingDecoder
from permits.reading.interface import FoundPayload
from permits.reading.pipeline import read_page
from permits.reading.sources.images import ImageSource
from permits.reading.sources.interface import HEADER_BYTES, PageSource
from permits.reading.sources.pdf import PdfSource

__all__ = ["SOURCES", "FoundPayload", "available_decoders", "read_payloads"]

SOURCES: tuple[PageSource, ...] = (PdfSource(), ImageSource())
"""Every kind of file read, tried in order on the file's first bytes."""


@cache
def available_decoders() -> dict[str, Decoder]:
    """The decoders by name, made once per process (zbar reports a missing libzbar0 when first used)."""
    decoders: tuple[Decoder, ...] = (ZxingDecoder(), ZbarDecoder())
    return {decoder.name: decoder for decoder in decoders}


def read_payloads(path: Path, prefix: str = PREFIX) -> list[FoundPayload]:
    """Every QR text starting with ``prefix`` in the file, in page order; other QR codes are ignored."""
    source = _source(path)
    found: list[FoundPayload] = []
    for page in source.pages(path):
        read = read_page(page.image, available_decoders(), prefix)
        if read.attempt is not None:
            found.extend(FoundPayload(text, page.source, page.number, read.attempt) for text in read.texts)
    return found


def _source(path: Path) -> PageSource:
    """The source for the file's kind, after checking that it exists, is a file and is not too large."""
    size = require_regular_file(path, "PDF or image")
    try:
        with open(path, "rb") as handle:
            header = handle.read(HEADER_BYTES)
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    limits.enforce(size, limits.MAX_INPUT_FILE_BYTES, "bytes", str(path))
    if not size:
        raise InputError(f"{path}: empty file (0 bytes)")
    for source in SOURCES:
        if source.accepts(header):
            return source
    raise InputError(
        f"{path}: unsupported file type (expected a PDF, PNG, JPEG, TIFF, BMP, GIF, WebP, AVIF or HEIC file)"
    )
