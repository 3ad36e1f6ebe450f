"""Every documented limit (permits/limits.py, docs/FORMAT.md section 8) at the limit and one past it."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path
from typing import Any

import cbor2
import pytest

from keys.trust.local import LocalTrustStore
from permits import limits
from permits.envelope import PREFIX, base45, inflate
from permits.envelope.cose import CoseError, decode_cbor
from permits.errors import InputError, PermitValidationError
from permits.model import Permit
from permits.qr import qr_symbol
from permits.reading import read_payloads
from permits.verification import Verifier
from tests.conftest import example_mapping


def _verdict_failure(text: str) -> str:
    failure = Verifier(LocalTrustStore.load()).verify(text).failure
    assert failure is not None
    return failure.id


def test_qr_text_length() -> None:
    body = "A" * (limits.MAX_QR_TEXT_CHARS - len(PREFIX))
    assert _verdict_failure(PREFIX + body) != "prefix"
    assert _verdict_failure(PREFIX + body + "A") == "prefix"


def test_issued_qr_version() -> None:
    # 1,429 alphanumeric characters fill a version-30 symbol at ECC Q exactly.
    assert qr_symbol("A" * 1429).version == limits.MAX_ISSUED_QR_VERSION
    with pytest.raises(InputError, match="needs QR version 31"):
        qr_symbol("A" * 1430)


def test_decompressed_size() -> None:
    assert len(inflate(zlib.compress(b"\0" * limits.MAX_DECOMPRESSED_BYTES))) == limits.MAX_DECOMPRESSED_BYTES
    with pytest.raises(ValueError, match="more than the limit"):
        inflate(zlib.compress(b"\0" * (limits.MAX_DECOMPRESSED_BYTES + 1)))
    text = PREFIX + base45.encode(zlib.compress(b"\0" * (limits.MAX_DECOMPRESSED_BYTES + 1)))
    assert _verdict_failure(text) == "zlib"


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth - 1):
        value = [value]
    return value


def test_cbor_depth() -> None:
    assert decode_cbor(cbor2.dumps(_nested(limits.MAX_CBOR_DEPTH)), "item") is not None
    with pytest.raises(CoseError, match="not valid CBOR"):
        decode_cbor(cbor2.dumps(_nested(limits.MAX_CBOR_DEPTH + 1)), "item")


def _permit_with(**line: Any) -> dict[str, Any]:
    data = example_mapping("zoo-transfer-app1.yaml")
    data["items"] = [{**data["items"][0], **line}]  # type: ignore[index]
    return data


def test_specimen_lines() -> None:
    data = example_mapping("timber-export-app2.yaml")
    line = data["items"][0]  # type: ignore[index]
    data["items"] = [line] * limits.MAX_SPECIMEN_LINES
    assert len(Permit.from_mapping(data).items) == limits.MAX_SPECIMEN_LINES
    data["items"] = [line] * (limits.MAX_SPECIMEN_LINES + 1)
    with pytest.raises(PermitValidationError, match="51 specimen lines; the limit is 50"):
        Permit.from_mapping(data)


def test_marks_per_line() -> None:
    marks = [{"kind": "ring", "id": f"R{index}"} for index in range(limits.MAX_MARKS_PER_LINE + 1)]
    assert Permit.from_mapping(_permit_with(marks=marks[:-1])).items[0].marks[-1].identifier == "R199"
    with pytest.raises(PermitValidationError, match="201 marks; the limit is 200"):
        Permit.from_mapping(_permit_with(marks=marks))


@pytest.mark.parametrize(
    ("field", "limit"), [("description", limits.MAX_TEXT_CHARS), ("acquisition", limits.MAX_CODE_CHARS)]
)
def test_text_lengths(field: str, limit: int) -> None:
    assert Permit.from_mapping(_permit_with(**{field: "x" * limit}))
    with pytest.raises(PermitValidationError, match=f"is {limit + 1} characters long; the limit is {limit}"):
        Permit.from_mapping(_permit_with(**{field: "x" * (limit + 1)}))


def test_input_file_size(tmp_path: Path) -> None:
    at_limit, past_limit = tmp_path / "at.png", tmp_path / "past.png"
    for path, size in ((at_limit, limits.MAX_INPUT_FILE_BYTES), (past_limit, limits.MAX_INPUT_FILE_BYTES + 1)):
        with open(path, "wb") as handle:
            handle.truncate(size)  # sparse: costs no disk
    with pytest.raises(InputError, match="unsupported file type"):
        read_payloads(at_limit)
    with pytest.raises(InputError, match="bytes is over the limit"):
        read_payloads(past_limit)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares the size; its pixel data is missing (nothing needs decoding to refuse it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_image_pixels(tmp_path: Path) -> None:
    width = 10_000
    height = limits.MAX_IMAGE_PIXELS // width
    at_limit, past_limit = tmp_path / "at.png", tmp_path / "past.png"
    at_limit.write_bytes(_png_header_only(width, height))
    past_limit.write_bytes(_png_header_only(width, height + 1))
    with pytest.raises(InputError) as raised:
        read_payloads(at_limit)
    assert "over the limit" not in str(raised.value)  # refused later, for its missing pixel data
    with pytest.raises(InputError, match=r"pixels .* is over the limit of 60,000,000; refused"):
        read_payloads(past_limit)


def test_pages() -> None:
    limits.enforce(limits.MAX_PDF_PAGES, limits.MAX_PDF_PAGES, "pages", "scan.pdf")
    with pytest.raises(InputError, match=r"scan\.pdf: 101 pages is over the limit of 100; refused"):
        limits.enforce(limits.MAX_PDF_PAGES + 1, limits.MAX_PDF_PAGES, "pages", "scan.pdf")


def test_pdf_page_count_is_checked_before_rendering(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(limits.MAX_PDF_PAGES + 1):
        pdf.add_page()
    path = tmp_path / "many.pdf"
    path.write_bytes(bytes(pdf.output()))
    started = dt.datetime.now()
    with pytest.raises(InputError, match="101 pages is over the limit of 100"):
        read_payloads(path)
    assert (dt.datetime.now() - started).total_seconds() < 30


def test_signed_document_size(tmp_path: Path) -> None:
    from keys.signed import read_file

    at_limit, past_limit = tmp_path / "at.json", tmp_path / "past.json"
    for path, size in (
        (at_limit, limits.MAX_SIGNED_DOCUMENT_BYTES),
        (past_limit, limits.MAX_SIGNED_DOCUMENT_BYTES + 1),
    ):
        with open(path, "wb") as handle:
            handle.truncate(size)
    assert len(read_file(at_limit, "trust list")) == limits.MAX_SIGNED_DOCUMENT_BYTES
    with pytest.raises(InputError, match="bytes is over the limit of 16,777,216; refused"):
        read_file(past_limit, "trust list")
