"""The reading strategy: cheap first, stop at the first permit text, bounded work on pages without one, the
same attempt list with any decoder missing, and a clear error instead of a silent miss without libzbar0."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from PIL import Image

from permits.envelope import PREFIX
from permits.errors import ConfigurationError
from permits.reading import available_decoders, read_payloads
from permits.reading.decoders import zbar
from permits.reading.decoders.interface import Decoder
from permits.reading.pipeline import ATTEMPTS, WORK_SIDE, read_page
from tests.reading.samples import a4_page, permit_page, permit_text, save

TEXT = permit_text(1)


class Recording:
    """A real decoder that also notes the size and a digest of every image it is given."""

    def __init__(self, inner: Decoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.seen: list[tuple[tuple[int, int], bytes]] = []

    def decode(self, image: Image.Image) -> list[str]:
        self.seen.append((image.size, hashlib.sha256(image.tobytes()).digest()))
        return self.inner.decode(image)


def _recording() -> dict[str, Recording]:
    return {name: Recording(decoder) for name, decoder in available_decoders().items()}


def _sizes(decoders: dict[str, Recording]) -> list[tuple[int, int]]:
    return [size for decoder in decoders.values() for size, _digest in decoder.seen]


def test_the_attempt_list() -> None:
    assert ATTEMPTS[0].name == "zxing/fast"
    assert {attempt.decoder for attempt in ATTEMPTS} == set(available_decoders())
    assert len({attempt.name for attempt in ATTEMPTS}) == len(ATTEMPTS)


def test_a_clean_300_dpi_page_takes_one_attempt_on_a_reduced_image() -> None:
    decoders = _recording()
    page = permit_page(TEXT, dpi=300)
    assert read_page(page, decoders, PREFIX) == ([TEXT], "zxing/fast")
    assert _sizes(decoders) == [(page.width // 2, page.height // 2)]


def test_a_page_without_permit_costs_at_most_one_attempt_each_on_bounded_images() -> None:
    decoders = _recording()
    giant = a4_page(dpi=1000)  # 8,268 x 11,693 pixels
    assert read_page(giant, decoders, PREFIX) == ([], None)
    sizes = _sizes(decoders)
    assert len(sizes) <= len(ATTEMPTS)
    assert max(max(size) for size in sizes) <= WORK_SIDE


def test_a_twelve_megapixel_photo_is_not_reduced_before_the_attempts() -> None:
    """4,032 x 3,024 (an iPhone) is under ``WORK_SIDE``: every pixel is kept for the attempts on all of them."""
    decoders = _recording()
    photo = Image.new("L", (4032, 3024), 200)
    assert read_page(photo, decoders, PREFIX) == ([], None)
    assert (4032, 3024) in _sizes(decoders)
    assert (2016, 1512) in _sizes(decoders)  # "half"


def test_no_decoder_sees_the_same_image_twice() -> None:
    """On a small photo "fast" changes nothing: "zxing/fast" and "zxing/page" would decode the same image."""
    decoders = _recording()
    photo = Image.effect_noise((600, 800), 40)  # every step changes a noisy image
    assert read_page(photo, decoders, PREFIX) == ([], None)
    for decoder in decoders.values():
        digests = [digest for _size, digest in decoder.seen]
        assert len(set(digests)) == len(digests)
    assert len(_sizes(decoders)) < len(ATTEMPTS)


def test_one_decoder_alone() -> None:
    decoders = _recording()
    only_zbar = {"zbar": decoders["zbar"]}
    assert read_page(permit_page(TEXT), only_zbar, PREFIX) == ([TEXT], "zbar/fast")
    assert decoders["zxing"].seen == []


def test_without_libzbar_reads_what_zxing_reads_and_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing libzbar0 makes pyzbar's import fail; blocking the import does the same here."""
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    zbar._pyzbar.cache_clear()  # forget the module imported by earlier tests (a failed import is not cached)
    assert [found.text for found in read_payloads(save(permit_page(TEXT), tmp_path / "permit.png"))] == [TEXT]
    with pytest.raises(ConfigurationError, match=r"libzbar0 is not installed: sudo apt-get install -y libzbar0"):
        read_payloads(save(a4_page(), tmp_path / "no-permit.png"))
