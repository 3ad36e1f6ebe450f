"""Permits read from image files as they reach a customs post: clean exports, scans turned any way, phone photos
at an angle, blurred, noisy and faint prints, multi-page TIFFs, transparent and 16-bit PNGs, HEIC photos."""

from __future__ import annotations

from pathlib import Path

import pytest
import qrcode
from PIL import Image, ImageChops, ImageEnhance, ImageFilter, ImageOps, ImageStat

from permits.reading import read_payloads
from permits.reading.sources.images import ImageSource
from tests.reading.samples import (
    a4_page,
    permit_page,
    permit_text,
    perspective_coefficients,
    photographed,
    qr_image,
    save,
    texts,
)

TEXT = permit_text(1)


def test_clean_png_reads_first_time_and_says_where(tmp_path: Path) -> None:
    path = save(permit_page(TEXT), tmp_path / "permit.png")
    [found] = read_payloads(path)
    assert found.text == TEXT
    assert (found.source, found.page, found.decoder) == (str(path), None, "zxing/fast")
    assert 850 <= len(TEXT) <= 950


def test_jpeg_scan(tmp_path: Path) -> None:
    assert texts(save(permit_page(TEXT, dpi=300).convert("RGB"), tmp_path / "scan.jpg", quality=60)) == [TEXT]


@pytest.mark.parametrize("degrees", [37, 90, 180, 270, 352])
def test_page_turned_any_way(tmp_path: Path, degrees: int) -> None:
    """Scans fed sideways or upside down, and pages put crookedly on the glass."""
    turned = permit_page(TEXT).rotate(degrees, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    assert texts(save(turned, tmp_path / "turned.png")) == [TEXT]


def test_phone_photo_with_perspective(tmp_path: Path) -> None:
    page = permit_page(TEXT, dpi=300)
    width, height = page.size
    # The top of the page further from the camera than the bottom, and turned a little, on a dark table.
    corners = [(0.22, 0.08), (0.86, 0.12), (0.97, 0.95), (0.02, 0.9)]
    photo = photographed(page, [(x * width, y * height) for x, y in corners]).filter(ImageFilter.GaussianBlur(0.8))
    assert texts(save(photo.convert("RGB"), tmp_path / "IMG_2041.jpg", quality=80)) == [TEXT]


def test_twelve_megapixel_photo_of_a_page_filling_half_the_frame(tmp_path: Path) -> None:
    """An iPhone photo (4,032 x 3,024) of a page held at arm's length: 2.6 pixels per module. Halved to fit
    4,000 pixels, as it once was, the QR code was lost; an Android photo of 4,000 x 3,000 was read."""
    page = permit_page(TEXT, dpi=400)
    height = 3024 // 2
    width = height * page.width // page.height
    left, top = (4032 - width) // 2, (3024 - height) // 2
    corners = [(left + width * 0.05, top), (left + width * 0.95, top + height * 0.02)]
    corners += [(left + width, top + height), (left, top + height * 0.98)]
    photo = page.resize((width, height), Image.Resampling.LANCZOS).transform(
        (4032, 3024),
        Image.Transform.PERSPECTIVE,
        perspective_coefficients(corners, [(0, 0), (width, 0), (width, height), (0, height)]),
        Image.Resampling.BICUBIC,
        fillcolor=90,
    )
    path = save(photo.filter(ImageFilter.GaussianBlur(0.7)).convert("RGB"), tmp_path / "IMG_0412.jpg", quality=85)
    [found] = read_payloads(path)
    assert found.text == TEXT


def test_blurred_noisy_faint_scan(tmp_path: Path) -> None:
    page = permit_page(TEXT, dpi=300).filter(ImageFilter.GaussianBlur(1.2))
    faint = ImageEnhance.Contrast(page).enhance(0.3).point(lambda level: min(255, level + 40))
    noisy = ImageChops.add(faint, Image.effect_noise(page.size, 25), scale=1.0, offset=-128)
    assert texts(save(noisy, tmp_path / "fax.png")) == [TEXT]


def test_uneven_light_across_a_photo(tmp_path: Path) -> None:
    page = permit_page(TEXT)
    shadow = Image.linear_gradient("L").resize(page.size).point(lambda level: 70 + level * 185 // 255)
    assert texts(save(ImageChops.multiply(page, ImageOps.flip(shadow)), tmp_path / "shadow.png")) == [TEXT]


def test_small_low_resolution_image(tmp_path: Path) -> None:
    """A thumbnail-sized picture: about 1.7 pixels per module."""
    page = permit_page(TEXT, dpi=300)
    small = page.resize((page.width * 2 // 7, page.height * 2 // 7), Image.Resampling.BILINEAR)
    assert texts(save(small, tmp_path / "small.png")) == [TEXT]


def test_multi_page_tiff(tmp_path: Path) -> None:
    second = permit_text(2)
    pages = [permit_page(TEXT), a4_page(), permit_page(second)]
    path = tmp_path / "scanner.tiff"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw")
    found = read_payloads(path)
    assert [(item.text, item.page, item.source) for item in found] == [
        (TEXT, 1, f"{path} page 1"),
        (second, 3, f"{path} page 3"),
    ]


def test_several_permits_on_one_page_and_a_url_next_to_them(tmp_path: Path) -> None:
    second = permit_text(2)
    tracking = qrcode.make("https://example.org/track/4711", box_size=4).get_image().convert("L")
    page = a4_page(qr_image(TEXT), tracking, qr_image(second), dpi=300)
    assert sorted(texts(save(page, tmp_path / "two-permits.png"))) == sorted([TEXT, second])


def test_url_qr_next_to_the_permit_is_ignored(tmp_path: Path) -> None:
    tracking = qrcode.make("https://example.org/track/4711", box_size=6).get_image().convert("L")
    page = a4_page(tracking, qr_image(TEXT))
    assert texts(save(page, tmp_path / "with-url.png")) == [TEXT]


def test_image_without_a_permit_qr_gives_nothing(tmp_path: Path) -> None:
    assert texts(save(a4_page(), tmp_path / "photocopy.png")) == []
    tracking = qrcode.make("https://example.org/track/4711", box_size=6).get_image().convert("L")
    assert texts(save(a4_page(tracking), tmp_path / "only-url.png")) == []


def test_other_prefixes_can_be_asked_for(tmp_path: Path) -> None:
    tracking = qrcode.make("https://example.org/track/4711", box_size=6).get_image().convert("L")
    path = save(a4_page(tracking, qr_image(TEXT)), tmp_path / "with-url.png")
    assert [found.text for found in read_payloads(path, prefix="https://")] == ["https://example.org/track/4711"]


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    """A phone photo stored sideways with an EXIF note (orientation 6: turn 90 degrees clockwise to view)."""
    page = permit_page(TEXT)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = save(page.rotate(90, expand=True).convert("RGB"), tmp_path / "sideways.jpg", quality=90, exif=exif)
    [upright] = ImageSource().pages(path)
    assert upright.image.size == page.size
    assert ImageStat.Stat(ImageChops.difference(upright.image, page)).mean[0] < 3  # the same, up to JPEG's loss
    assert texts(path) == [TEXT]


def test_transparent_png_is_read_on_white(tmp_path: Path) -> None:
    """Black modules on a transparent background (whose hidden colour is black too) as exported by some apps."""
    symbol = qr_image(TEXT)
    transparent = Image.new("RGBA", symbol.size, (0, 0, 0, 0))
    transparent.putalpha(ImageOps.invert(symbol))
    assert texts(save(transparent, tmp_path / "transparent.png")) == [TEXT]


def test_sixteen_bit_grey_png(tmp_path: Path) -> None:
    """A 12-bit scanner's output in a 16-bit PNG: black is 0, white 4,095 (not 65,535)."""
    twelve_bit = permit_page(TEXT).convert("I").point(lambda level: level * 4095 / 255)
    path = save(twelve_bit.convert("I;16"), tmp_path / "scan-16bit.png")
    [page] = ImageSource().pages(path)
    assert page.image.getextrema() == (0, 255)
    assert texts(path) == [TEXT]


def test_other_image_formats_and_a_misleading_suffix(tmp_path: Path) -> None:
    page = permit_page(TEXT)
    for name, options in (("scan.bmp", {}), ("scan.gif", {}), ("scan.webp", {"lossless": True})):
        assert texts(save(page, tmp_path / name, **options)) == [TEXT], name
    assert texts(save(page, tmp_path / "actually-a-png.pdf", format="PNG")) == [TEXT]


def test_heic_phone_photo(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    photo = permit_page(TEXT).rotate(90, expand=True).convert("RGB")
    assert texts(save(photo, tmp_path / "IMG_0001.heic", quality=85)) == [TEXT]
