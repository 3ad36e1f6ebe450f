"""The permit's QR symbol: alphanumeric mode, error correction Q, the smallest version that fits.

``docs/FORMAT.md`` section 1.1 states the rules. The QR text ("CP1:" + upper-case Base45) uses only the 45
characters of the QR alphanumeric set, so it is encoded in that mode (5.5 bits per character). A permit whose
text would need a version above ``limits.MAX_ISSUED_QR_VERSION`` is refused with the version it needs, rather
than split over several symbols: the consignment must then be split into two permits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
from PIL import Image
from qrcode.exceptions import DataOverflowError
from qrcode.util import MODE_ALPHA_NUM, QRData

from permits import limits
from permits.errors import InputError

ALPHANUMERIC_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
"""The QR alphanumeric set (ISO/IEC 18004, table 5)."""

QUIET_ZONE_MODULES = 4
"""White margin around the symbol, in modules, that every rendering keeps (ISO/IEC 18004 requires 4)."""

PNG_PIXELS_PER_MODULE = 8
"""Pixels per module of the standalone PNG: a version-30 symbol with its quiet zone is 1,160 pixels wide."""

LARGEST_QR_VERSION = 40


class QrTooLargeError(InputError):
    """The QR text needs a version above ``limits.MAX_ISSUED_QR_VERSION``."""


@dataclass(frozen=True)
class QrSymbol:
    """A QR symbol's module matrix (True = dark) without the quiet zone, and its version."""

    version: int
    modules: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules per side (17 + 4 x version), without the quiet zone."""
        return len(self.modules)


def qr_symbol(text: str) -> QrSymbol:
    """Encode the permit's QR text in one symbol: alphanumeric mode, ECC Q, the smallest version that fits.

    Raises ``InputError`` for text outside the alphanumeric set and for text that needs a version above
    ``limits.MAX_ISSUED_QR_VERSION``.
    """
    outside = sorted(set(text) - ALPHANUMERIC_CHARACTERS)
    if outside:
        shown = "".join(outside[:10])
        raise InputError(f"the QR text has characters outside the QR alphanumeric set: {shown!r}")
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    code.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM))
    try:
        version = code.best_fit()
    except (DataOverflowError, ValueError):  # qrcode's ways of saying "beyond version 40"
        needed = f"above {LARGEST_QR_VERSION}"
    else:
        if version <= limits.MAX_ISSUED_QR_VERSION:
            code.make(fit=False)
            return QrSymbol(version, tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix()))
        needed = str(version)
    raise QrTooLargeError(
        f"the permit's QR text ({len(text):,} characters) needs QR version {needed}; the limit is "
        f"{limits.MAX_ISSUED_QR_VERSION} (error correction Q): split the consignment into two permits, or shorten "
        "the free-text fields"
    )


def qr_png_bytes(text: str, pixels_per_module: int = PNG_PIXELS_PER_MODULE) -> bytes:
    """A crisp 1-bit PNG of the symbol with its 4-module quiet zone, ``pixels_per_module`` pixels per module."""
    symbol = qr_symbol(text)
    side = symbol.size + 2 * QUIET_ZONE_MODULES
    quiet = [1] * QUIET_ZONE_MODULES
    body = [[*quiet, *(0 if dark else 1 for dark in row), *quiet] for row in symbol.modules]
    white = [[1] * side] * QUIET_ZONE_MODULES
    image = Image.new("1", (side, side))
    image.putdata([value for row in (*white, *body, *white) for value in row])
    scaled = image.resize((side * pixels_per_module, side * pixels_per_module), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    scaled.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
