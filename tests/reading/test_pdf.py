"""Permits read from PDF files: every page, several permits per file, the tool's own permit form, scans saved
as PDF; and clear errors for broken PDFs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from permits.document.pdf import render_permit_pdf
from permits.envelope import seal
from permits.errors import InputError
from permits.reading import read_payloads
from tests.conftest import MakeAuthority, example_permit
from tests.reading.samples import permit_page, permit_text, qr_image, texts


def _png(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_two_permits_on_two_pages_and_a_page_without(tmp_path: Path) -> None:
    first, second = permit_text(1), permit_text(2)
    pdf = FPDF(unit="mm", format="A4")
    for text in (first, None, second):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.cell(text="CITES export permit")
        if text is not None:
            pdf.image(_png(qr_image(text, module_pixels=1)), x=130, y=20, w=65)  # 0.52 mm modules
    path = tmp_path / "consignment.pdf"
    pdf.output(str(path))
    found = read_payloads(path)
    assert [(item.text, item.page, item.source) for item in found] == [
        (first, 1, f"{path} page 1"),
        (second, 3, f"{path} page 3"),
    ]
    assert all(item.decoder.startswith("zxing/") for item in found)


def test_the_tools_own_permit_form(tmp_path: Path, make_authority: MakeAuthority) -> None:
    text = seal(example_permit(), make_authority(trusted=False).key)
    path = tmp_path / "KE-2026-ZOO-0001.pdf"
    path.write_bytes(render_permit_pdf(example_permit(), text))
    assert texts(path) == [text]


def test_scan_saved_as_pdf(tmp_path: Path) -> None:
    """A network scanner's PDF: one 300-dpi JPEG per page."""
    text = permit_text(3)
    path = tmp_path / "scan.pdf"
    permit_page(text, dpi=300).convert("RGB").save(path, resolution=300, quality=70)
    assert texts(path) == [text]


def test_pdf_without_permit_gives_nothing(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Invoice 2026-114")
    path = tmp_path / "invoice.pdf"
    pdf.output(str(path))
    assert texts(path) == []


def test_broken_pdfs_are_input_errors(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.pdf"
    pdf = FPDF()
    pdf.add_page()
    truncated.write_bytes(bytes(pdf.output())[:200])
    with pytest.raises(InputError, match=r"truncated\.pdf: cannot read the PDF"):
        read_payloads(truncated)
    header_only = tmp_path / "header-only.pdf"
    header_only.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(InputError, match=r"header-only\.pdf: cannot read the PDF"):
        read_payloads(header_only)
