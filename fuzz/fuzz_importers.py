"""Fuzz target: the registry importers (CSV and JSON exports). Any exception other than the tool's own
one-line input errors, or a hang, is a bug.

Run: ``make fuzz`` (or ``.venv/bin/python -m fuzz.fuzz_importers fuzz/out/importers tests/registry/fixtures
-max_total_time=60``); the seeds are the registry test fixtures.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

from permits.errors import CitesError
from permits.registry.sources import open_sources

WORKDIR = Path(tempfile.mkdtemp(prefix="cites-fuzz-"))


def test_one_input(data: bytes) -> None:
    suffix = ".json" if data.lstrip()[:1] in (b"{", b"[") else ".csv"
    path = WORKDIR / f"input{suffix}"
    path.write_bytes(data)
    try:
        for source in open_sources([path]):
            list(source.records())
    except CitesError:
        pass


def main() -> None:
    atheris.instrument_all()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
