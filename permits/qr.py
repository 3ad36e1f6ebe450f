"""The permit's QR symbol: alphanumeric mode, error correction Q, the smallest version that fits.

``docs/FORMAT.md`` section 1.1 states the rules; a permit that would need a version above
``limits.MAX_ISSUED_QR_VERSION`` is refused rather than split over several symbols.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
from qrcode.exceptions import DataOverflowError
from qrcode.util import MODE_ALPHA_NUM, QRData

from permits import limits
from permits.errors import InputError

QUIET_ZONE_MODULES = 4
PNG_PIXELS_PER_MODULE = 8


@dataclass(frozen=True)
class QrSymbol:
    """The module matrix of a QR symbol (True = dark), without the quiet zone."""

    version: int
    modules: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        return len(self.modules)


def qr_symbol(text: str) -> QrSymbol:
    """Encode ``text`` (the permit's QR text) as a QR symbol, refusing versions above the project limit."""
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    try:
        code.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM))
        code.make(fit=True)
    except (DataOverflowError, ValueError, UnicodeEncodeError):
        raise InputError(f"the permit's QR text ({len(text)} characters) does not fit in any QR symbol") from None
    if code.version > limits.MAX_ISSUED_QR_VERSION:
        raise InputError(
            f"the permit's QR text ({len(text)} characters) needs QR version {code.version}; the limit is "
            f"{limits.MAX_ISSUED_QR_VERSION}: split the consignment into two permits or shorten free-text fields"
        )
    matrix = code.get_matrix()
    return QrSymbol(code.version, tuple(tuple(bool(cell) for cell in row) for row in matrix))


def qr_png_bytes(text: str, pixels_per_module: int = PNG_PIXELS_PER_MODULE) -> bytes:
    """A crisp 1-bit PNG of the symbol with its 4-module quiet zone."""
    from PIL import Image

    symbol = qr_symbol(text)
    side = symbol.size + 2 * QUIET_ZONE_MODULES
    image = Image.new("1", (side, side), 1)
    pixels = image.load()
    assert pixels is not None
    for row, cells in enumerate(symbol.modules):
        for column, dark in enumerate(cells):
            if dark:
                pixels[column + QUIET_ZONE_MODULES, row + QUIET_ZONE_MODULES] = 0
    scaled = image.resize((side * pixels_per_module, side * pixels_per_module), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    scaled.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
