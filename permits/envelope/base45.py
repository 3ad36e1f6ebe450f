"""Base45 (RFC 9285), strict: the QR-friendly text encoding of the compressed envelope.

Written here rather than taken from PyPI because the only package (``base45`` 0.4) is unmaintained and the
verifier needs a decoder that rejects every non-canonical input: characters outside the alphabet, a dangling
single character, and triplets or pairs whose value overflows (``GGW`` = 65,536 is not two bytes).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 255
_TABLE = bytes(ALPHABET.index(chr(code)) if chr(code) in ALPHABET else _INVALID for code in range(256))
"""Byte translation table: an ASCII character to its Base45 value, or 255 when it is not in the alphabet."""


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
        values = text.encode("ascii").translate(_TABLE)
    except UnicodeEncodeError as error:
        raise Base45Error(
            f"character {text[error.start]!r} at position {error.start} is not in the Base45 alphabet"
        ) from None
    invalid = values.find(_INVALID)
    if invalid >= 0:
        raise Base45Error(f"character {text[invalid]!r} at position {invalid} is not in the Base45 alphabet")
    full = len(values) - len(values) % 3
    out = _decode_triplets(values[:full])
    if full < len(values):
        number = values[full] + values[full + 1] * 45
        if number > 0xFF:
            raise Base45Error(f"final pair at position {full} encodes {number}, more than one byte")
        out += bytes([number])
    return out


def _decode_triplets(values: bytes) -> bytes:
    """Decode whole triplets of Base45 digit values (``c + 45 d + 2025 e`` each, two bytes big-endian).

    Without a Python loop per triplet (the audit decodes millions): the digits of each position are spread into
    the lowest byte of 4-byte big-endian lanes of one big integer, so ``c + 45 d + 2025 e`` for every triplet
    is two integer multiplications and two additions. A lane holds at most 44 * 2071 = 91,124 < 2**24, so no
    carry crosses lanes; a value above 0xFFFF shows as a non-zero second byte in its lane.
    """
    count = len(values) // 3
    lanes = bytearray(4 * count)
    total = 0
    for position, weight in enumerate((1, 45, 2025)):
        lanes[3::4] = values[position::3]
        total += weight * int.from_bytes(lanes, "big")
    summed = total.to_bytes(4 * count, "big")
    overflow = summed[1::4]
    if overflow.count(0) != count:
        group = next(index for index, byte in enumerate(overflow) if byte)
        number = int.from_bytes(summed[4 * group : 4 * group + 4], "big")
        raise Base45Error(f"group at position {3 * group} encodes {number}, more than two bytes")
    out = bytearray(2 * count)
    out[0::2] = summed[2::4]
    out[1::2] = summed[3::4]
    return bytes(out)
