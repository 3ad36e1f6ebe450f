"""Fuzz target: the QR-text verifier. Any exception, a hang, or VALID for a text that is not a seed is a bug.

Run: ``make fuzz`` (or ``.venv/bin/python -m fuzz.fuzz_verify fuzz/out/verify fuzz/corpus/verify -max_total_time=60``).
Verification is judged as of the seeds' signing day so the seeds stay VALID.
"""

from __future__ import annotations

import datetime as dt
import sys

import atheris

from fuzz.targets import CORPUS, FuzzTrust
from permits.verification import Verifier

VERIFIER = Verifier(FuzzTrust())
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
SEEDS = {path.read_text().strip() for path in (CORPUS / "verify").glob("*.txt")}


class FalseValid(Exception):
    """The verifier accepted a text that no one signed."""


def test_one_input(data: bytes) -> None:
    text = data.decode("latin-1")
    verdict = VERIFIER.verify(text, now=NOW)
    if verdict.valid and text.strip() not in SEEDS:
        raise FalseValid(repr(text[:80]))


def main() -> None:
    atheris.instrument_all()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
