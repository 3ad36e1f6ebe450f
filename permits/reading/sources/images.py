"""Raster images (PNG, JPEG, TIFF with all its frames, BMP, GIF, WebP, and HEIC/HEIF phone photos via pillow-heif).

EXIF orientation is applied, and images above ``limits.MAX_IMAGE_PIXELS`` are refused from their header,
before any pixel is decoded, so a decompression bomb costs nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from permits import limits
from permits.errors import InputError
from permits.reading.interface import Page

SIGNATURES: tuple[bytes, ...] = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF8", b"RIFF")
HEIF_BRANDS: tuple[bytes, ...] = (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftypavif")


def _register_heif() -> bool:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


class ImageSource:
    """Image files, one page per frame."""

    name = "image"

    def accepts(self, header: bytes) -> bool:
        return header.startswith(SIGNATURES) or header[4:12] in HEIF_BRANDS

    def pages(self, path: Path) -> Iterator[Page]:
        with open(path, "rb") as handle:
            header = handle.read(16)
        if header[4:12] in HEIF_BRANDS and not _register_heif():
            raise InputError(f"{path}: HEIC/HEIF images need the pillow-heif package (pip install pillow-heif)")
        Image.MAX_IMAGE_PIXELS = limits.MAX_IMAGE_PIXELS
        try:
            with warnings.catch_warnings():
                # Pillow warns between 1x and 2x its limit and raises above 2x; the limit is enforced below.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(path) as image:
                    width, height = image.size
                    limits.enforce(width * height, limits.MAX_IMAGE_PIXELS, f"pixels ({width}x{height})", str(path))
                    frames = getattr(image, "n_frames", 1)
                    limits.enforce(frames, limits.MAX_PDF_PAGES, "pages", str(path))
                    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                        upright = ImageOps.exif_transpose(frame.convert("RGB")) or frame.convert("RGB")
                        label = f"{path} page {number}" if frames > 1 else str(path)
                        yield Page(upright.convert("L"), label, number if frames > 1 else None)
        except Image.DecompressionBombError:
            raise InputError(f"{path}: the image declares too many pixels (decompression bomb?); refused") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise InputError(f"{path}: cannot read the image ({_short(error)})") from None


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__
