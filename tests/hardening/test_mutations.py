"""Mutation testing of the verifier: random single-byte, multi-byte, truncation and extension mutations of
genuine permits' QR text and of the CBOR inside it. None may be VALID and none may raise (any exception
fails the test). Mutations that only add surrounding white space are the same text by the format's rules, and
so is one that changes only the unused padding bits of the last DEFLATE byte (it inflates to the very bytes
that were signed: docs/FORMAT.md 4.1)."""

from __future__ import annotations

import random
import zlib

import pytest

from keys.trust.local import LocalTrustStore
from permits.envelope import PREFIX, base45, seal
from permits.envelope.algorithms import Algorithm
from permits.verification import Verifier
from tests.conftest import MakeAuthority, example_permit

MUTATIONS_PER_LAYER = 10_000


def _mutate(data: bytes | str, rng: random.Random, alphabet: bytes | str) -> bytes | str:
    kind = rng.choice(("single", "multi", "truncate", "extend", "delete", "swap"))
    items = list(data)
    if kind == "single":
        position = rng.randrange(len(items))
        items[position] = rng.choice([c for c in alphabet if c != items[position]])
    elif kind == "multi":
        for position in rng.sample(range(len(items)), rng.randint(2, 8)):
            items[position] = rng.choice(alphabet)
    elif kind == "truncate":
        items = items[: rng.randrange(len(items))]
    elif kind == "extend":
        items += [rng.choice(alphabet) for _ in range(rng.randint(1, 16))]
    elif kind == "delete":
        del items[rng.randrange(len(items))]
    else:
        first, second = rng.sample(range(len(items)), 2)
        items[first], items[second] = items[second], items[first]
    return bytes(items) if isinstance(data, bytes) else "".join(items)  # type: ignore[arg-type]


@pytest.fixture
def genuine(make_authority: MakeAuthority) -> list[str]:
    texts = []
    for algorithm in Algorithm:
        for name in ("zoo-transfer-app1.yaml", "timber-export-app2.yaml", "reexport-certificate.yaml"):
            permit = example_permit(name)
            authority = make_authority(party=permit.issuing_party, algorithm=algorithm)
            texts.append(seal(permit, authority.key))
    return texts


def test_mutated_qr_text_is_never_valid(genuine: list[str]) -> None:
    verifier = Verifier(LocalTrustStore.load())
    assert all(verifier.verify(text).valid for text in genuine)
    rng = random.Random(20261128)
    valid = 0
    for _ in range(MUTATIONS_PER_LAYER):
        original = rng.choice(genuine)
        mutated = str(_mutate(original, rng, base45.ALPHABET + "cp1:"))
        # Surrounding white space is ignored by the format (a scanner's line end): not a different text.
        if mutated.strip() != original and verifier.verify(mutated).valid and _signed(mutated) != _signed(original):
            valid += 1
    assert valid == 0


def _signed(text: str) -> bytes:
    """The inflated COSE bytes of a QR text that verified: what its signature covers."""
    return zlib.decompress(base45.decode(text.strip()[len(PREFIX) :]))


def test_padding_bits_of_the_last_deflate_byte_change_the_text_not_the_signed_bytes(genuine: list[str]) -> None:
    """Why ``_signed`` above: zlib ignores the bits after the final block's end code, so such a text is the
    same signed document (a QR-text hash is not a document identity; the COSE bytes are)."""
    verifier = Verifier(LocalTrustStore.load())
    variants = 0
    for text in genuine:
        data = bytearray(base45.decode(text[len(PREFIX) :]))
        last = len(data) - 5  # the byte before the Adler-32 checksum ends the DEFLATE data
        for flip in range(8):
            changed = bytearray(data)
            changed[last] ^= 1 << flip
            variant = PREFIX + base45.encode(bytes(changed))
            if verifier.verify(variant).valid:
                assert _signed(variant) == _signed(text)
                variants += 1
    assert variants >= 1  # some padding bit exists in at least one of the six permits


def test_mutated_cbor_is_never_valid(genuine: list[str]) -> None:
    verifier = Verifier(LocalTrustStore.load())
    messages = [zlib.decompress(base45.decode(text[len(PREFIX) :])) for text in genuine]
    rng = random.Random(7)
    valid = 0
    for _ in range(MUTATIONS_PER_LAYER):
        original = rng.choice(messages)
        mutated = _mutate(original, rng, bytes(range(256)))
        assert isinstance(mutated, bytes)
        if mutated != original:
            text = PREFIX + base45.encode(zlib.compress(mutated))
            valid += verifier.verify(text).valid
    assert valid == 0
