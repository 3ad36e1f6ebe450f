"""What a decoder does: find the texts of every QR code in a grey image."""

from __future__ import annotations

from typing import Protocol

from PIL import Image


class Decoder(Protocol):
    """A QR decoding library."""

    name: str

    def decode(self, image: Image.Image) -> list[str]:
        """The texts of the QR codes found (possibly none)."""
        ...
