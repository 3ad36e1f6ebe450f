"""The permit's QR symbol and its standalone PNG: real encoding, read back with zbar.

The error correction level and the encoding mode are read from the symbol's modules as ISO/IEC 18004 places
them (format information, then the first data bits), so the checks do not trust the encoder's own settings.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image
from pyzbar import pyzbar
from qrcode.exceptions import DataOverflowError
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from permits import limits
from permits.envelope import seal
from permits.envelope.algorithms import Algorithm
from permits.errors import InputError
from permits.model import Permit
from permits.qr import QUIET_ZONE_MODULES, qr_png_bytes, qr_symbol
from tests.conftest import example_permit

EXAMPLES = ["zoo-transfer-app1.yaml", "timber-export-app2.yaml", "reexport-certificate.yaml"]

FORMAT_MASK = 0b101010000010010
"""XOR mask of the 15 format-information bits (ISO/IEC 18004, 7.9.1)."""
ECC_LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
MODE_INDICATORS = {0b0001: "numeric", 0b0010: "alphanumeric", 0b0100: "byte", 0b1000: "kanji"}
DATA_MASKS: dict[int, Callable[[int, int], bool]] = {
    0: lambda i, j: (i + j) % 2 == 0,
    1: lambda i, j: i % 2 == 0,
    2: lambda i, j: j % 3 == 0,
    3: lambda i, j: (i + j) % 3 == 0,
    4: lambda i, j: (i // 2 + j // 3) % 2 == 0,
    5: lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    6: lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    7: lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
}


@dataclass(frozen=True)
class EphemeralSigner:
    """The least a ``seal`` needs: an ES256 key and a kid."""

    algorithm: Algorithm = Algorithm.ES256
    kid: bytes = b"12345678"
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))


def sealed(permit: Permit) -> str:
    return seal(permit, EphemeralSigner())


def zbar_texts(image: Image.Image) -> list[str]:
    return [symbol.data.decode("ascii") for symbol in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])]


def format_and_mode(modules: Sequence[Sequence[bool]]) -> tuple[str, str]:
    """The ECC level and the first segment's mode, read from a symbol's modules (no quiet zone)."""
    size = len(modules)
    rows = [*range(6), 7, 8, *range(size - 7, size)]  # column 8, format bits 0-14 from the top
    bits = sum(int(modules[row][8]) << index for index, row in enumerate(rows)) ^ FORMAT_MASK
    level, mask = ECC_LEVELS[bits >> 13], DATA_MASKS[(bits >> 10) & 0b111]
    # The data bits start in the bottom-right corner, right column first, going up.
    first = [(size - 1, size - 1), (size - 1, size - 2), (size - 2, size - 1), (size - 2, size - 2)]
    indicator = 0
    for row, column in first:
        indicator = indicator << 1 | (modules[row][column] ^ mask(row, column))
    return level, MODE_INDICATORS[indicator]


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_png_of_each_example_decodes_to_the_exact_text(example: str) -> None:
    text = sealed(example_permit(example))
    image = Image.open(io.BytesIO(qr_png_bytes(text)))
    assert image.mode == "1"
    assert zbar_texts(image) == [text]


@pytest.mark.parametrize("pixels_per_module", [3, 8])
def test_the_png_is_one_bit_with_whole_pixels_per_module_and_a_white_quiet_zone(pixels_per_module: int) -> None:
    text = sealed(example_permit())
    symbol = qr_symbol(text)
    image = Image.open(io.BytesIO(qr_png_bytes(text, pixels_per_module)))
    side = symbol.size + 2 * QUIET_ZONE_MODULES
    assert image.size == (side * pixels_per_module, side * pixels_per_module)
    modules = image.resize((side, side), Image.Resampling.NEAREST)
    assert modules.resize(image.size, Image.Resampling.NEAREST).tobytes() == image.tobytes()  # uniform modules
    expected = [
        0
        if QUIET_ZONE_MODULES <= row < side - QUIET_ZONE_MODULES
        and QUIET_ZONE_MODULES <= column < side - QUIET_ZONE_MODULES
        and symbol.modules[row - QUIET_ZONE_MODULES][column - QUIET_ZONE_MODULES]
        else 255
        for row in range(side)
        for column in range(side)
    ]
    assert modules.convert("L").tobytes() == bytes(expected)


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_uses_error_correction_q_and_alphanumeric_mode(example: str) -> None:
    symbol = qr_symbol(sealed(example_permit(example)))
    assert format_and_mode(symbol.modules) == ("Q", "alphanumeric")


def test_the_format_reader_tells_levels_and_modes_apart() -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_H, border=0)
    code.add_data(QRData(b"cp1:lower case", mode=MODE_8BIT_BYTE))
    code.make(fit=True)
    assert format_and_mode(code.get_matrix()) == ("H", "byte")


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_gets_the_smallest_version_that_fits(example: str) -> None:
    text = sealed(example_permit(example))
    symbol = qr_symbol(text)
    assert symbol.size == 17 + 4 * symbol.version
    assert symbol.version <= 25  # the design aims at 25 or less for a few specimen lines
    smaller = qrcode.QRCode(version=symbol.version - 1, error_correction=qrcode.constants.ERROR_CORRECT_Q)
    smaller.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM))
    with pytest.raises(DataOverflowError):
        smaller.make(fit=False)


@pytest.mark.parametrize(
    ("characters", "version"),
    [(16, 1), (17, 2), (29, 2), (30, 3), (1429, 30)],
)
def test_versions_follow_the_alphanumeric_capacity_at_level_q(characters: int, version: int) -> None:
    # Capacities from ISO/IEC 18004 table 7: version 1-Q holds 16 alphanumeric characters, 2-Q 29, 30-Q 1,429.
    assert qr_symbol("CP1:" + "A" * (characters - 4)).version == version


def test_a_text_above_the_version_limit_is_refused_with_the_version_it_needs() -> None:
    text = "CP1:" + "A" * 1426
    limit = limits.MAX_ISSUED_QR_VERSION
    with pytest.raises(InputError, match=rf"\(1,430 characters\) needs QR version 31; the limit is {limit}") as error:
        qr_symbol(text)
    assert "split the consignment into two permits" in str(error.value)
    with pytest.raises(InputError, match="needs QR version above 40"):
        qr_png_bytes("CP1:" + "A" * 3000)


def test_a_text_outside_the_alphanumeric_set_is_refused() -> None:
    with pytest.raises(InputError, match="outside the QR alphanumeric set: 'abc'"):
        qr_symbol("CP1:abc")
