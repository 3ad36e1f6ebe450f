"""zbar through pyzbar: the second, independent decoder, which reads some blurred, noisy or binarised images
that zxing-cpp does not. It needs the system library libzbar0.

Without libzbar0 the reader does not silently read less: zbar is only used once zxing-cpp has found nothing,
and at that point ``decode`` raises ``ConfigurationError`` with the command that installs the library. So a
page zxing-cpp reads gives the same answer as on a complete installation, and a page it does not read is
never reported as "no permit QR code found" when zbar might have found one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from PIL import Image

from permits.errors import ConfigurationError

INSTALL_HINT = (
    "reading this image needs the QR decoder zbar, whose system library libzbar0 is not installed: "
    "sudo apt-get install -y libzbar0"
)


@cache
def _pyzbar() -> Any:
    """The ``pyzbar.pyzbar`` module (importing it loads libzbar, and raises ``ImportError`` when it is missing)."""
    try:
        from pyzbar import pyzbar
    except ImportError:
        raise ConfigurationError(INSTALL_HINT) from None
    return pyzbar


class ZbarDecoder:
    """pyzbar's ``decode``, restricted to QR codes."""

    name = "zbar"

    def decode(self, image: Image.Image) -> list[str]:
        pyzbar = _pyzbar()
        symbols = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
        return [symbol.data.decode("utf-8", errors="replace") for symbol in symbols]
