"""The shapes the reading step works with: a page image from a source, a payload found on it."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class Page:
    """One image to search for QR codes: a photo, a TIFF frame or a rendered PDF page."""

    image: Image.Image
    source: str
    number: int | None = None


@dataclass(frozen=True)
class FoundPayload:
    """A permit QR text found in a file, where it was found, and which strategy read it."""

    text: str
    source: str
    page: int | None
    decoder: str
