"""Files the reader refuses, each with a one-line ``InputError`` that names the file: missing, not a file,
too large, unsupported, corrupt or truncated, over the pixel limit, decompression bombs, too many pages."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import pytest
from PIL import Image

from permits import limits
from permits.errors import InputError
from permits.reading import read_payloads
from tests.reading.samples import permit_page, permit_text, png_declaring


def _refusal(path: Path) -> str:
    with pytest.raises(InputError) as raised:
        read_payloads(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


def _encoded(image: Image.Image, format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format)
    return buffer.getvalue()


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "file not found" in _refusal(tmp_path / "missing.png")
    assert "is a directory" in _refusal(tmp_path)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(limits.MAX_INPUT_FILE_BYTES + 1)  # sparse: no disk used
    assert "bytes is over the limit" in _refusal(path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"CP1:NOT A QR CODE BUT ITS TEXT\n"),
        ("letter.docx", b"PK\x03\x04\x14\x00\x06\x00 a Word file"),
        ("permit.png", b"<html><body>Session expired</body></html>"),  # the suffix does not decide
        ("sound.webp", b"RIFF\x24\x00\x00\x00WAVEfmt "),
    ],
)
def test_unsupported_files(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert "unsupported file type" in _refusal(path)


def test_an_empty_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert _refusal(path) == f"{path}: empty file (0 bytes)"


@pytest.mark.parametrize("format", ["PNG", "JPEG", "TIFF", "WEBP"])
def test_truncated_images(tmp_path: Path, format: str) -> None:
    whole = _encoded(permit_page(permit_text(1), dpi=100), format)
    path = tmp_path / f"truncated.{format.lower()}"
    path.write_bytes(whole[: len(whole) // 2])
    assert re.search(r"cannot read the image \(.+\)$", _refusal(path))


def test_corrupt_png_data(tmp_path: Path) -> None:
    whole = bytearray(_encoded(permit_page(permit_text(1), dpi=100), "PNG"))
    whole[200:400] = bytes(200)  # zeros over the compressed pixels
    path = tmp_path / "corrupt.png"
    path.write_bytes(bytes(whole))
    assert "cannot read the image" in _refusal(path)


def test_image_over_the_pixel_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    width = 10_000
    path = tmp_path / "oversized.png"
    path.write_bytes(png_declaring(width, limits.MAX_IMAGE_PIXELS // width + 1))
    message = _refusal(path)
    assert re.search(r"pixels \(10000x6001\) is over the limit of 60,000,000; refused$", message)


@pytest.mark.parametrize(("width", "height"), [(12_000, 10_000), (40_000, 40_000)])
def test_decompression_bombs_are_refused_quietly(tmp_path: Path, width: int, height: int) -> None:
    """Pillow warns above 89 megapixels and raises above 179: both end as a refusal, and nothing is printed."""
    path = tmp_path / "bomb.png"
    path.write_bytes(png_declaring(width, height))
    assert path.stat().st_size < 300_000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = _refusal(path)
    assert message.endswith("; refused")
    assert Image.MAX_IMAGE_PIXELS is not None and limits.MAX_IMAGE_PIXELS < Image.MAX_IMAGE_PIXELS  # ours refuses first


def test_tiff_with_too_many_pages(tmp_path: Path) -> None:
    pages = [Image.new("1", (8, 8), 1) for _ in range(limits.MAX_PDF_PAGES + 1)]
    path = tmp_path / "many.tiff"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    assert "101 pages is over the limit of 100; refused" in _refusal(path)


def test_a_large_later_tiff_frame_is_refused(tmp_path: Path) -> None:
    """TIFF frames can have different sizes: each is checked before it is decoded."""
    width = 10_000
    pages = [Image.new("1", (8, 8), 1), Image.new("1", (width, limits.MAX_IMAGE_PIXELS // width + 1), 1)]
    path = tmp_path / "two-sizes.tiff"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="group4")
    assert "is over the limit of 60,000,000; refused" in _refusal(path)
