"""PDF files: every page rendered with PDFium at ``RENDER_DPI`` as a grey image."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from permits import limits
from permits.errors import InputError
from permits.reading.interface import Page

RENDER_DPI = 200
POINTS_PER_INCH = 72


class PdfSource:
    """PDF documents, one page image per page."""

    name = "pdf"

    def accepts(self, header: bytes) -> bool:
        return header.startswith(b"%PDF")

    def pages(self, path: Path) -> Iterator[Page]:
        import pypdfium2 as pdfium

        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as error:
            raise InputError(f"{path}: cannot read the PDF ({error})") from None
        try:
            count = len(document)
            limits.enforce(count, limits.MAX_PDF_PAGES, "pages", str(path))
            for index in range(count):
                page = document[index]
                width, height = page.get_size()
                scale = RENDER_DPI / POINTS_PER_INCH
                if width * height * scale * scale > limits.MAX_IMAGE_PIXELS:
                    scale = (limits.MAX_IMAGE_PIXELS / (width * height)) ** 0.5
                try:
                    bitmap = page.render(scale=scale, grayscale=True)
                    image = bitmap.to_pil().convert("L")
                except pdfium.PdfiumError as error:
                    raise InputError(f"{path}: cannot render page {index + 1} ({error})") from None
                yield Page(image, f"{path} page {index + 1}", index + 1)
        finally:
            document.close()
