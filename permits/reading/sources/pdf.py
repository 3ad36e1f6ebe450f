"""PDF files: every page rendered by PDFium as a grey image at ``RENDER_DPI``, one page at a time.

The page count is checked against ``limits.MAX_PDF_PAGES`` before anything is rendered, and a page so large
that ``RENDER_DPI`` would exceed ``limits.MAX_IMAGE_PIXELS`` (a poster, or a hostile page size) is rendered at
the resolution that fits instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from permits import limits
from permits.errors import InputError
from permits.reading.interface import Page

RENDER_DPI = 200
"""A QR module printed at 0.5 mm becomes 3.9 pixels: enough for the decoders, and an A4 page is 3.9 megapixels."""

POINTS_PER_INCH = 72


class PdfSource:
    """PDF documents, one page image per page."""

    name = "pdf"

    def accepts(self, header: bytes) -> bool:
        return header.startswith(b"%PDF-")

    def pages(self, path: Path) -> Iterator[Page]:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as error:
            raise InputError(f"{path}: cannot read the PDF ({error})") from None
        try:
            count = len(document)
            limits.enforce(count, limits.MAX_PDF_PAGES, "pages", str(path))
            for index in range(count):
                yield Page(_render(document, index, path), f"{path} page {index + 1}", index + 1)
        finally:
            document.close()


def _render(document: pdfium.PdfDocument, index: int, path: Path) -> Image.Image:
    """Page ``index`` as a grey image at ``RENDER_DPI``, or at the resolution that fits the pixel limit."""
    try:
        page = document[index]
        try:
            width, height = page.get_size()
            scale = RENDER_DPI / POINTS_PER_INCH
            area = max(width * height, 1.0)
            scale = min(scale, (limits.MAX_IMAGE_PIXELS / area) ** 0.5)
            view: Image.Image = page.render(scale=scale, grayscale=True).to_pil()
            return view.copy()  # the view shares PDFium's buffer
        finally:
            page.close()
    except pdfium.PdfiumError as error:
        raise InputError(f"{path}: cannot render page {index + 1} ({error})") from None
