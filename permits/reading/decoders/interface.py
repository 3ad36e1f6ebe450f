"""What a decoder is: a QR decoding library that finds the texts of every QR code in a grey image."""

from __future__ import annotations

from typing import Protocol

from PIL import Image


class Decoder(Protocol):
    """A QR decoding library; ``name`` is how ``pipeline.ATTEMPTS`` and ``FoundPayload.decoder`` refer to it."""

    name: str

    def decode(self, image: Image.Image) -> list[str]:
        """The texts of the QR codes (and only QR codes) found in the mode "L" ``image``, possibly none."""
        ...
