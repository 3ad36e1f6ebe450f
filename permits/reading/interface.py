"""The shapes the reading step passes around: a page image from a source, and a permit text found on one.

The size limits the reading step enforces (``MAX_INPUT_FILE_BYTES``, ``MAX_IMAGE_PIXELS``, ``MAX_PDF_PAGES``)
live with every other limit in ``permits.limits``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class Page:
    """One grey (mode "L") image to search for QR codes: a photo, a TIFF frame or a rendered PDF page.

    ``source`` names it for the user ("permit.pdf page 2", "photo.jpg"); ``number`` is its 1-based page number
    in a file of several pages, ``None`` for a single image.
    """

    image: Image.Image
    source: str
    number: int | None = None


@dataclass(frozen=True)
class FoundPayload:
    """A permit QR text found in a file: the text, where it was found, and the attempt that read it.

    ``decoder`` is ``"<decoder>/<steps>"``, e.g. ``"zxing/fast"`` or ``"zbar/fast+contrast+otsu"`` (see
    ``permits.reading.pipeline.ATTEMPTS``).
    """

    text: str
    source: str
    page: int | None
    decoder: str
