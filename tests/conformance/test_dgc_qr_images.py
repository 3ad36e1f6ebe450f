"""Third-party QR images (the EU DCC test data's PNGs) read by the project's reader give the exact QR text."""

from __future__ import annotations

from pathlib import Path

import pytest

from permits.reading import read_payloads
from tests.conformance.vectors import VECTORS, load_json, vectors_dir

FOLDER = VECTORS / "dgc-testdata"
MISMATCHED_UPSTREAM = {"ES/png/2101.png", "ES/png/2102.png", "ES/png/2103.png"}
"""PNGs whose QR holds another certificate than their JSON's PREFIX (zbar alone reads the same as our reader)."""


def _pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for image in sorted(FOLDER.rglob("*.png")) if FOLDER.is_dir() else []:
        case = image.parent.parent / "2DCode" / "raw" / f"{image.stem}.json"
        if case.exists():
            pairs.append((image, case))
    return pairs


@pytest.mark.parametrize(("image", "case"), _pairs(), ids=lambda path: str(path.relative_to(FOLDER)))
def test_reader_returns_the_exact_text(image: Path, case: Path) -> None:
    vectors_dir("dgc-testdata")
    expected = load_json(case).get("PREFIX")
    if not isinstance(expected, str) or not expected.startswith("HC1:"):
        pytest.skip("the case's QR text does not carry the HC1: prefix")
    found = read_payloads(image, prefix="HC1:")
    if str(image.relative_to(FOLDER)) in MISMATCHED_UPSTREAM:
        from PIL import Image
        from pyzbar.pyzbar import ZBarSymbol, decode

        with Image.open(image) as picture:
            assert [item.text for item in found] == [
                symbol.data.decode() for symbol in decode(picture, symbols=[ZBarSymbol.QRCODE])
            ]
        return
    assert [item.text for item in found] == [expected.strip()]


def test_images_were_found() -> None:
    vectors_dir("dgc-testdata")
    assert len(_pairs()) > 250
