"""The QR symbol and the PDF form: real rendering, read back with the project's reader and PDFium."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import qrcode
from PIL import Image
from pyzbar import pyzbar

from permits import limits
from permits.document.pdf import render_permit_pdf
from permits.envelope import seal
from permits.errors import InputError
from permits.model import Permit
from permits.qr import qr_png_bytes, qr_symbol
from permits.reading import read_payloads
from tests.conftest import MakeAuthority, example_mapping, example_permit

EXAMPLES = ["zoo-transfer-app1.yaml", "timber-export-app2.yaml", "reexport-certificate.yaml"]


def _sealed(make_authority: MakeAuthority, permit: Permit) -> str:
    return seal(permit, make_authority(party=permit.issuing_party, trusted=False).key)


def _pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    return "\n".join(document[index].get_textpage().get_text_range() for index in range(len(document)))


@pytest.mark.parametrize("example", EXAMPLES)
def test_qr_png_decodes_to_the_exact_text(make_authority: MakeAuthority, example: str) -> None:
    text = _sealed(make_authority, example_permit(example))
    image = Image.open(io.BytesIO(qr_png_bytes(text)))
    assert [symbol.data.decode() for symbol in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])] == [text]


def test_qr_is_the_smallest_alphanumeric_version_at_ecc_q(make_authority: MakeAuthority) -> None:
    text = _sealed(make_authority, example_permit())
    symbol = qr_symbol(text)
    smaller = qrcode.QRCode(version=symbol.version - 1, error_correction=qrcode.constants.ERROR_CORRECT_Q)
    smaller.add_data(qrcode.util.QRData(text, mode=qrcode.util.MODE_ALPHA_NUM))
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        smaller.make(fit=False)
    assert symbol.size == 17 + 4 * symbol.version
    assert symbol.version <= 25


def test_oversized_qr_text_is_refused_with_the_version_needed() -> None:
    with pytest.raises(InputError, match=rf"needs QR version \d+; the limit is {limits.MAX_ISSUED_QR_VERSION}"):
        qr_symbol("CP1:" + "A" * 1500)


@pytest.mark.parametrize("example", EXAMPLES)
def test_pdf_shows_every_field_and_its_qr_reads_back(
    make_authority: MakeAuthority, tmp_path: Path, example: str
) -> None:
    permit = example_permit(example)
    text = _sealed(make_authority, permit)
    data = render_permit_pdf(permit, text, kid="0011223344556677")
    path = tmp_path / "permit.pdf"
    path.write_bytes(data)
    assert [item.text for item in read_payloads(path)] == [text]
    content = _pdf_text(data)
    expected: list[Any] = [permit.number, permit.exporter.name, permit.importer.name, permit.authority.name]
    expected += [line.scientific_name for line in permit.items]
    expected += [mark.identifier for line in permit.items for mark in line.marks]
    expected += [line.origin.number for line in permit.items if line.origin]
    for value in expected:
        assert value in content, value
    assert "14. Export endorsement" in content and "0011223344556677" in content


def test_many_lines_flow_over_pages_and_unicode_names_render(make_authority: MakeAuthority, tmp_path: Path) -> None:
    data = example_mapping("timber-export-app2.yaml")
    lines = data["items"]
    assert isinstance(lines, list)
    data["items"] = [{**lines[index % 3], "description": f"Lot {index + 1}"} for index in range(40)]
    data["exporter"] = {"name": "Société Forestière de Łódź, Ngọc 株式会社", "country": "CM"}
    permit = Permit.from_mapping(data)
    text = _sealed(make_authority, permit)
    pdf = render_permit_pdf(permit, text)
    document = pdfium.PdfDocument(pdf)
    assert len(document) >= 2
    content = _pdf_text(pdf)
    assert "Lot 40" in content and "page 2 of" in content and "Société Forestière de Łódź, Ngọc" in content
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    assert [item.text for item in read_payloads(path)] == [text]
