"""Base45 (RFC 9285), strict: the QR-friendly text encoding of the compressed envelope.

Written here rather than taken from PyPI because the only package (``base45`` 0.4) is unmaintained and the
verifier needs a decoder that rejects every non-canonical input: characters outside the alphabet, a dangling
single character, and triplets or pairs whose value overflows (``GGW`` = 65,536 is not two bytes).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUES = {char: index for index, char in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """The text is not valid Base45; the message says where."""


def encode(data: bytes) -> str:
    """Encode bytes: each pair becomes three characters, a final single byte two (least significant first)."""
    out: list[str] = []
    for start in range(0, len(data) - 1, 2):
        value = data[start] * 256 + data[start + 1]
        value, c = divmod(value, 45)
        e, d = divmod(value, 45)
        out.extend((ALPHABET[c], ALPHABET[d], ALPHABET[e]))
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.extend((ALPHABET[c], ALPHABET[d]))
    return "".join(out)


def decode(text: str) -> bytes:
    """Decode Base45 text, raising ``Base45Error`` for any input RFC 9285 does not allow."""
    if len(text) % 3 == 1:
        raise Base45Error(f"length {len(text)} leaves a single dangling character")
    try:
        values = [_VALUES[char] for char in text]
    except KeyError as missing:
        position = text.index(missing.args[0])
        raise Base45Error(
            f"character {missing.args[0]!r} at position {position} is not in the Base45 alphabet"
        ) from None
    out = bytearray()
    for start in range(0, len(values), 3):
        chunk = values[start : start + 3]
        if len(chunk) == 3:
            number = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if number > 0xFFFF:
                raise Base45Error(f"group at position {start} encodes {number}, more than two bytes")
            out.extend(divmod(number, 256))
        else:
            number = chunk[0] + chunk[1] * 45
            if number > 0xFF:
                raise Base45Error(f"final pair at position {start} encodes {number}, more than one byte")
            out.append(number)
    return bytes(out)
