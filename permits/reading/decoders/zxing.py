"""zxing-cpp: fast, and tolerant of rotation and perspective; usually the first decoder tried."""

from __future__ import annotations

import zxingcpp
from PIL import Image


class ZxingDecoder:
    name = "zxing"

    def decode(self, image: Image.Image) -> list[str]:
        results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
        return [result.text for result in results if result.valid and result.text]
