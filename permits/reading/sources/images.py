"""Raster images: PNG, JPEG, TIFF (every frame), BMP, GIF, WebP, AVIF, and HEIC/HEIF phone photos when the
optional package pillow-heif is installed.

Every frame becomes one grey page: the EXIF orientation is applied (a photo taken with the phone held sideways
comes out upright), transparency is flattened onto white paper, and 16-bit or float greys are scaled to 8 bits.
Sizes are checked from the header before any pixel is decoded, so an image over ``limits.MAX_IMAGE_PIXELS`` or
a decompression bomb (a tiny file that declares a huge image) is refused at no cost.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import cast

from PIL import Image, ImageOps, UnidentifiedImageError

from permits import limits
from permits.errors import CitesError, InputError
from permits.reading.interface import Page

SIGNATURES: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF8")
"""Leading bytes of PNG, JPEG, TIFF (both byte orders), BMP and GIF files."""

HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
"""ISO base media file brands (bytes 8-11, after ``ftyp``) of HEIC/HEIF images; pillow-heif reads them."""

AVIF_BRANDS = frozenset({b"avif", b"avis"})
"""Brands of AVIF images, which Pillow reads itself."""

WIDE_GREY_MODES = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
"""Pillow modes of 16-bit, 32-bit and float grey images, which ``convert("L")`` would clip instead of scale."""


class ImageSource:
    """Image files, one page per frame."""

    name = "image"

    def accepts(self, header: bytes) -> bool:
        return (
            header.startswith(SIGNATURES)
            or (header[:4] == b"RIFF" and header[8:12] == b"WEBP")
            or (header[4:8] == b"ftyp" and header[8:12] in HEIF_BRANDS | AVIF_BRANDS)
        )

    def pages(self, path: Path) -> Iterator[Page]:
        with _open(path) as image:
            with _reading(path):
                frames: int = getattr(image, "n_frames", 1)  # a GIF is read to its end to count them
            limits.enforce(frames, limits.MAX_PDF_PAGES, "pages", str(path))
            for index in range(frames):
                number = index + 1 if frames > 1 else None
                yield Page(_frame(image, index, path), f"{path} page {number}" if number else str(path), number)


@cache
def _heif_registered() -> bool:
    """Let Pillow open HEIC/HEIF files through pillow-heif, if it is installed (once per process)."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def _open(path: Path) -> Image.Image:
    """The opened image (only its header is read), or ``InputError`` for a file Pillow cannot identify."""
    with _reading(path):
        heif = _heif_registered()
        try:
            return Image.open(path)
        except UnidentifiedImageError:
            with open(path, "rb") as handle:
                if not heif and handle.read(12)[8:12] in HEIF_BRANDS:
                    raise InputError(
                        f"{path}: HEIC/HEIF images need the package pillow-heif (pip install pillow-heif)"
                    ) from None
            raise


def _frame(image: Image.Image, index: int, path: Path) -> Image.Image:
    """Frame ``index`` as an upright grey image, after checking its size (frames of a TIFF can differ)."""
    with _reading(path):
        image.seek(index)
        width, height = image.size
        limits.enforce(width * height, limits.MAX_IMAGE_PIXELS, f"pixels ({width}x{height})", str(path))
        image.draft("L", image.size)  # JPEG: decode straight to grey, about twice as fast; other formats ignore it
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # no copy when there is nothing to turn
        return _grey(image)


def _grey(image: Image.Image) -> Image.Image:
    """A new mode "L" image: transparency flattened onto white, wide greys stretched to 0-255."""
    if image.has_transparency_data:
        paper = Image.new("RGBA", image.size, "white")
        return Image.alpha_composite(paper, image.convert("RGBA")).convert("L")
    if image.mode in WIDE_GREY_MODES:
        wide = image.convert("F")
        low, high = cast(tuple[float, float], wide.getextrema())  # one band: (min, max)
        scale = 255 / (high - low) if high > low else 1
        return wide.point(lambda value: (value - low) * scale).convert("L")
    return image.convert("L")


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn whatever Pillow raises for a corrupt, truncated or hostile file into an ``InputError`` naming it; its
    warnings about a damaged file are not printed (the file is read, or refused here)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # refused below, and never printed
            yield
    except CitesError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses at open an image over its own ceiling (Image.MAX_IMAGE_PIXELS, 89.5M, an error at twice
        # that), which is above ours: whatever it refused is over ours too (asserted in test_refusals.py).
        raise InputError(
            f"{path}: the image declares more than {limits.MAX_IMAGE_PIXELS:,} pixels (a decompression bomb?); refused"
        ) from None
    except Exception as error:  # Pillow's decoders raise OSError, SyntaxError, ValueError, EOFError, struct.error...
        raise InputError(f"{path}: cannot read the image ({_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
