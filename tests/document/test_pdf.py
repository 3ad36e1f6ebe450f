"""The permit PDF: real rendering with fpdf2, read back with PDFium (text and pixels) and zbar (the QR code)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image
from pyzbar import pyzbar

from permits.codes import DocumentType
from permits.document import pdf as pdf_module
from permits.document import render_permit_pdf
from permits.envelope import seal
from permits.envelope.algorithms import Algorithm
from permits.errors import InputError
from permits.model import Permit
from permits.qr import QUIET_ZONE_MODULES, qr_symbol
from tests.conftest import example_mapping, example_permit

EXAMPLES = ["zoo-transfer-app1.yaml", "timber-export-app2.yaml", "reexport-certificate.yaml"]
DPI = 200
KID = "0011223344556677"
UNICODE_FONT_INSTALLED = all(
    (pdf_module.FONT_DIRECTORY / name).is_file() for name in pdf_module.UNICODE_FONT_FILES.values()
)
LARGEST_QR_TEXT = "CP1:" + "A1B2C3D4E5" * 142 + "A"
"""1,425 alphanumeric characters: a version-30 symbol, the largest ``cites issue`` prints."""


@dataclass(frozen=True)
class EphemeralSigner:
    """The least a ``seal`` needs: an ES256 key and a kid."""

    algorithm: Algorithm = Algorithm.ES256
    kid: bytes = bytes.fromhex(KID)
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))


def sealed(permit: Permit) -> str:
    return seal(permit, EphemeralSigner())


def page_images(data: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(data)
    return [document[index].render(scale=DPI / 72).to_pil().convert("L") for index in range(len(document))]


def page_texts(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    return [document[index].get_textpage().get_text_range() for index in range(len(document))]


def qr_codes(image: Image.Image) -> list[pyzbar.Decoded]:
    return list(pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE]))


def with_lines(name: str, count: int) -> Permit:
    """An example permit with ``count`` specimen lines, each with its own description."""
    data = example_mapping(name)
    lines = data["items"]
    assert isinstance(lines, list)
    data["items"] = [{**lines[index % len(lines)], "description": f"Lot {index + 1}"} for index in range(count)]
    return Permit.from_mapping(data)


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_renders_and_its_qr_reads_back_from_page_1(example: str) -> None:
    permit = example_permit(example)
    text = sealed(permit)
    images = page_images(render_permit_pdf(permit, text, kid=KID))
    assert len(images) == 1
    assert [code.data.decode("ascii") for code in qr_codes(images[0])] == [text]


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_field_of_each_example_is_in_the_pdf_text(example: str) -> None:
    permit = example_permit(example)
    content = "\n".join(page_texts(render_permit_pdf(permit, sealed(permit), kid=KID)))
    expected = [
        "CONVENTION ON INTERNATIONAL TRADE IN ENDANGERED SPECIES OF WILD FAUNA AND FLORA",
        {DocumentType.EXPORT: "EXPORT PERMIT", DocumentType.RE_EXPORT: "RE-EXPORT CERTIFICATE"}[permit.document_type],
        permit.number,
        permit.valid_until.isoformat(),
        permit.issued.isoformat(),
        f"{permit.purpose} - ",
        "Scan to verify: cites verify",
        f"key {KID}",
        "14. Export endorsement",
    ]
    for trader in (permit.importer, permit.exporter, permit.authority):
        expected += [trader.name, trader.address or trader.name]
    expected += ["DE - Germany"] if permit.importer.country == "DE" else []
    for value in (permit.security_stamp, permit.special_conditions, permit.import_permit, permit.bill_of_lading):
        expected += [value] if value and len(value) < 40 else []
    for line in permit.items:
        expected += [line.scientific_name, line.common_name or line.scientific_name, f"App. {line.appendix}"]
        expected += [f"Source {line.source}", f"{line.quantity.normalize():f} {line.unit}"]
        expected += [mark.identifier for mark in line.marks]
        expected += [reference.number for reference in (line.origin, line.last_reexport) if reference]
    missing = [value for value in expected if value not in content]
    assert not missing


def test_the_qr_is_printed_at_half_a_millimetre_per_module_inside_a_white_quiet_zone() -> None:
    for text in (sealed(example_permit()), LARGEST_QR_TEXT):
        symbol = qr_symbol(text)
        image = page_images(render_permit_pdf(example_permit(), text))[0]
        (code,) = qr_codes(image)
        assert code.data.decode("ascii") == text
        module_mm = code.rect.width / symbol.size * 25.4 / DPI
        assert 0.45 <= module_mm <= 0.55  # about 0.5 mm; at least 0.34 mm (4 dots at 300 dpi) is required
        quiet = round(QUIET_ZONE_MODULES * code.rect.width / symbol.size) - 2
        left, top = code.rect.left, code.rect.top
        right, bottom = left + code.rect.width, top + code.rect.height
        bands = [
            (left - quiet, top - quiet, right + quiet, top - 2),
            (left - quiet, bottom + 2, right + quiet, bottom + quiet),
            (left - quiet, top, left - 2, bottom),
            (right + 2, top, right + quiet, bottom),
        ]
        for band in bands:
            assert min(image.crop(band).tobytes()) > 200, band  # nothing dark in the quiet zone


def test_fifty_lines_flow_over_pages_that_repeat_the_number_and_count_the_pages() -> None:
    permit = with_lines("timber-export-app2.yaml", 50)
    text = sealed(permit)
    data = render_permit_pdf(permit, text, kid=KID)
    texts = page_texts(data)
    assert len(texts) >= 3
    for number, page in enumerate(texts, start=1):
        assert permit.number in page
        assert f"page {number} of {len(texts)}" in page
        assert number == 1 or ("(continued)" in page and "7. Scientific name" in page)
    content = "\n".join(texts)
    assert all(f"Lot {index}\r\n" in content for index in range(1, 51))
    assert "Line 50 (MTQ)" in texts[-1] and "14. Export endorsement" in texts[-1]
    assert [code.data.decode("ascii") for code in qr_codes(page_images(data)[0])] == [text]


def test_box_14_is_left_blank_for_customs() -> None:
    permit = with_lines("zoo-transfer-app1.yaml", 7)
    page = page_texts(render_permit_pdf(permit, sealed(permit)))[-1]
    box_14 = page.split("14. Export endorsement")[1].split(f"CITES EXPORT PERMIT No. {permit.number}")[0]
    labels = ["Port of export", "Date", "Signature of the officer", "Official stamp and title"]
    blank = re.sub(r"Line \d+ \(NUM\)", "", box_14.split("\r\n", 1)[1])
    for label in labels:
        blank = blank.replace(label, "", 1)
    assert blank.split() == []
    assert all(f"Line {number} (NUM)" in box_14 for number in range(1, 8))


def test_many_identifying_marks_and_a_source_justification_are_listed_in_full_across_pages() -> None:
    data = example_mapping("zoo-transfer-app1.yaml")
    lines = data["items"]
    assert isinstance(lines, list)
    marks = [{"kind": "microchip", "id": f"9001180001{index:05d}"} for index in range(200)]
    justification = "Offspring of confiscated parents of unknown origin; Scientific Authority opinion 2026/14."
    data["items"] = [{**lines[0], "marks": marks, "source": "U", "source_justification": justification}] * 3
    permit = Permit.from_mapping(data)
    texts = page_texts(render_permit_pdf(permit, "CP1:LAYOUT ONLY"))
    assert len(texts) >= 2
    content = "\n".join(texts)
    assert all(content.count(mark["id"]) == 3 for mark in marks)
    assert content.count("identifying marks (200): microchip: 900118000100000, 900118000100001") == 3
    assert content.count("justification of the source") == 3


@pytest.mark.skipif(not UNICODE_FONT_INSTALLED, reason="DejaVu Sans (fonts-dejavu-core) is not installed")
def test_names_outside_latin_1_print_as_written() -> None:
    data = example_mapping("timber-export-app2.yaml")
    data["exporter"] = {"name": "Société Forestière de Łódź", "address": "Phố Ngọc Hà, Hà Nội", "country": "VN"}
    data["authority"] = {"name": "Министерство природных ресурсов", "country": "CM"}
    data["importer"] = {"name": "Östra Timmer AB 株式会社", "country": "SE"}
    permit = Permit.from_mapping(data)
    text = sealed(permit)
    pdf = render_permit_pdf(permit, text)
    content = "\n".join(page_texts(pdf))
    for name in (
        "Société Forestière de Łódź",
        "Phố Ngọc Hà, Hà Nội",
        "Министерство природных ресурсов",
        "VN - Vietnam",
    ):
        assert name in content
    assert "Östra Timmer AB ????" in content  # DejaVu Sans has no CJK: those print as "?", the QR keeps them
    assert [code.data.decode("ascii") for code in qr_codes(page_images(pdf)[0])] == [text]


def test_without_the_unicode_font_names_are_transliterated_to_latin_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pdf_module, "FONT_DIRECTORY", tmp_path)
    data = example_mapping("timber-export-app2.yaml")
    data["exporter"] = {"name": "Société Forestière de Łódź \N{EN DASH} Ngọc 株式会社", "country": "CM"}
    permit = Permit.from_mapping(data)
    text = sealed(permit)
    pdf = render_permit_pdf(permit, text)
    assert "Société Forestière de Lódz - Ngoc ????" in "\n".join(page_texts(pdf))
    assert [code.data.decode("ascii") for code in qr_codes(page_images(pdf)[0])] == [text]


def test_rendering_is_deterministic_and_dated_by_the_issue_date() -> None:
    permit = example_permit("reexport-certificate.yaml", today=dt.date(2026, 3, 9))
    text = sealed(permit)
    first, second = render_permit_pdf(permit, text, kid=KID), render_permit_pdf(permit, text, kid=KID)
    assert first == second
    metadata = pdfium.PdfDocument(first).get_metadata_dict()
    assert metadata["CreationDate"].startswith("D:20260309")
    assert metadata["Title"] == f"CITES re-export certificate {permit.number}"


def test_a_qr_text_above_the_version_limit_is_refused_before_rendering() -> None:
    with pytest.raises(InputError, match="needs QR version 31"):
        render_permit_pdf(example_permit(), "CP1:" + "A" * 1426)
