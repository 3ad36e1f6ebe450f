"""Reading permits from real-world images and PDFs: rotated, upside down, photographed at an angle, several per
file, next to other QR codes; and clear errors for files that hold none or cannot be read."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import qrcode
from PIL import Image, ImageDraw, ImageFilter

from permits.document.pdf import render_permit_pdf
from permits.envelope import seal
from permits.errors import InputError
from permits.reading import read_payloads
from tests.conftest import MakeAuthority, example_permit


@pytest.fixture
def permit_texts(make_authority: MakeAuthority) -> list[str]:
    authority = make_authority(trusted=False)
    return [seal(example_permit(number=f"KE/2026/ZOO/000{index}"), authority.key) for index in (1, 2)]


def _page(text: str, dpi: int = 200) -> Image.Image:
    """The permit's PDF page rendered like a scan."""
    pdf = pdfium.PdfDocument(render_permit_pdf(example_permit(), text))
    return pdf[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")


def _save(image: Image.Image, path: Path, **options: object) -> Path:
    image.save(path, **options)
    return path


def _texts(path: Path) -> list[str]:
    return [found.text for found in read_payloads(path)]


@pytest.mark.parametrize("angle", [90, 37, 180, 270, 355])
def test_rotated_and_upside_down_pages(tmp_path: Path, permit_texts: list[str], angle: int) -> None:
    rotated = _page(permit_texts[0]).rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    assert _texts(_save(rotated, tmp_path / "rotated.png")) == [permit_texts[0]]


def test_photo_at_an_angle_blurred_and_jpeg(tmp_path: Path, permit_texts: list[str]) -> None:
    page = _page(permit_texts[0])
    width, height = page.size
    # A phone held at an angle: the top of the page further away (narrower) than the bottom.
    corners = (
        -width * 0.15,
        0,
        0,
        height,
        width,
        height,
        width * 1.15,
        0,
    )  # upper-left, lower-left, lower-right, upper-right
    photo = page.transform(page.size, Image.Transform.QUAD, corners, Image.Resampling.BICUBIC, fillcolor=200)
    photo = photo.rotate(8, expand=True, fillcolor=180).filter(ImageFilter.GaussianBlur(1.2))
    assert _texts(_save(photo, tmp_path / "photo.jpg", quality=45)) == [permit_texts[0]]


def test_multi_page_pdf_with_two_permits(tmp_path: Path, permit_texts: list[str]) -> None:
    merged = pdfium.PdfDocument.new()
    for text in permit_texts:
        merged.import_pages(pdfium.PdfDocument(render_permit_pdf(example_permit(), text)))
    path = tmp_path / "two.pdf"
    merged.save(str(path))
    found = read_payloads(path)
    assert [item.text for item in found] == permit_texts
    assert [item.page for item in found] == [1, 2]


def test_multi_page_tiff(tmp_path: Path, permit_texts: list[str]) -> None:
    pages = [_page(text, dpi=150) for text in permit_texts]
    path = tmp_path / "scan.tiff"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_deflate")
    assert _texts(path) == permit_texts


def test_heic_phone_photo(tmp_path: Path, permit_texts: list[str]) -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    photo = _page(permit_texts[0], dpi=150).rotate(90, expand=True).convert("RGB")
    assert _texts(_save(photo, tmp_path / "IMG_0001.heic", quality=80)) == [permit_texts[0]]


def test_url_qr_next_to_the_permit_is_ignored(tmp_path: Path, permit_texts: list[str]) -> None:
    page = _page(permit_texts[0])
    url = qrcode.make("https://example.org/track/123", box_size=8).get_image().convert("L")
    page.paste(url, (80, page.height - url.height - 80))
    assert _texts(_save(page, tmp_path / "with-url.png")) == [permit_texts[0]]


def test_image_without_qr_gives_nothing(tmp_path: Path) -> None:
    blank = Image.new("L", (1200, 1600), 255)
    ImageDraw.Draw(blank).text((100, 100), "CITES EXPORT PERMIT (photocopy without QR)", fill=0)
    assert _texts(_save(blank, tmp_path / "blank.png")) == []


def test_corrupt_and_unsupported_files_are_input_errors(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("L", (400, 400), 255).save(buffer, format="PNG")
    corrupt = tmp_path / "truncated.png"
    corrupt.write_bytes(buffer.getvalue()[:60])
    with pytest.raises(InputError, match=r"truncated\.png: cannot read the image"):
        read_payloads(corrupt)
    text_file = tmp_path / "notes.docx"
    text_file.write_bytes(b"PK\x03\x04 not a permit")
    with pytest.raises(InputError, match=r"notes\.docx: unsupported file type"):
        read_payloads(text_file)
    with pytest.raises(InputError, match=r"missing\.pdf: file not found"):
        read_payloads(tmp_path / "missing.pdf")
