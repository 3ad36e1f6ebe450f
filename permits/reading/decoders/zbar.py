"""zbar through pyzbar: a second, independent decoder (needs the system library libzbar0)."""

from __future__ import annotations

from PIL import Image

from permits.errors import ConfigurationError

INSTALL_HINT = "QR decoding needs the system library libzbar0: sudo apt-get install -y libzbar0"


class ZbarDecoder:
    name = "zbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except ImportError:
            raise ConfigurationError(INSTALL_HINT) from None
        self._pyzbar = pyzbar

    def decode(self, image: Image.Image) -> list[str]:
        symbols = self._pyzbar.decode(image, symbols=[self._pyzbar.ZBarSymbol.QRCODE])
        return [symbol.data.decode("latin-1") for symbol in symbols if symbol.data]
