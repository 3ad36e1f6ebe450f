"""Real files for the reading tests, made on the fly: permit QR texts as long as real ones, printed on A4 pages,
then scanned, photographed, degraded, or written as hostile or broken files."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from permits.envelope import PREFIX, base45
from permits.qr import qr_png_bytes
from permits.reading import read_payloads

A4_MM = (210, 297)
MM_PER_INCH = 25.4


def permit_text(seed: int, data_bytes: int = 567) -> str:
    """A text shaped like a permit's: the prefix, then Base45 of random bytes (567 bytes are 851 characters,
    a version-24 symbol at ECC Q, like the 850-950 characters of real permits)."""
    return PREFIX + base45.encode(random.Random(seed).randbytes(data_bytes))


def qr_image(text: str, module_pixels: int = 4) -> Image.Image:
    """The QR symbol the tool prints (alphanumeric, ECC Q, 4-module quiet zone) as a grey image."""
    with Image.open(io.BytesIO(qr_png_bytes(text, module_pixels))) as image:
        return image.convert("L")


def a4_page(*symbols: Image.Image, dpi: int = 200) -> Image.Image:
    """A white A4 page at ``dpi`` with lines of text and the symbols side by side in its upper half."""
    width, height = (round(side / MM_PER_INCH * dpi) for side in A4_MM)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    for y in range(height // 2, height - dpi // 2, dpi // 6):
        draw.text((dpi // 2, y), "CONVENTION ON INTERNATIONAL TRADE IN ENDANGERED SPECIES  Export permit", fill=0)
    x = dpi // 2
    for symbol in symbols:
        page.paste(symbol, (x, dpi))
        x += symbol.width + dpi // 4
    return page


def permit_page(text: str, dpi: int = 200) -> Image.Image:
    """A page with one permit QR code printed at about 0.5 mm per module."""
    return a4_page(qr_image(text, module_pixels=round(0.5 / MM_PER_INCH * dpi)), dpi=dpi)


def photographed(page: Image.Image, corners: list[tuple[float, float]], table: int = 70) -> Image.Image:
    """The page as a camera sees it held at an angle: its corners (upper-left, upper-right, lower-right,
    lower-left) land at ``corners`` in a frame of the page's size, on a dark table."""
    width, height = page.size
    page_corners = [(0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height))]
    coefficients = perspective_coefficients(corners, page_corners)
    return page.transform(
        page.size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC, fillcolor=table
    )


def perspective_coefficients(
    output: list[tuple[float, float]], source: list[tuple[float, float]]
) -> tuple[float, float, float, float, float, float, float, float]:
    """Pillow's PERSPECTIVE data (a, b, c, d, e, f, g, h): the output pixel (x, y) takes the source pixel
    ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)), solved from four point pairs."""
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(output, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    for column in range(8):  # Gauss-Jordan elimination with partial pivoting
        pivot = max(range(column, 8), key=lambda row: abs(rows[row][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        rows[column] = [value / rows[column][column] for value in rows[column]]
        for row in range(8):
            if row != column:
                factor = rows[row][column]
                rows[row] = [value - factor * lead for value, lead in zip(rows[row], rows[column], strict=True)]
    a, b, c, d, e, f, g, h = (row[8] for row in rows)
    return a, b, c, d, e, f, g, h


def png_declaring(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of ``width`` x ``height`` black pixels: a few hundred kilobytes for a huge image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then the packed pixels
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def save(image: Image.Image, path: Path, **options: Any) -> Path:
    image.save(path, **options)
    return path


def texts(path: Path) -> list[str]:
    """The permit texts ``read_payloads`` finds in the file."""
    return [found.text for found in read_payloads(path)]
