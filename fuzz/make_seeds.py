"""Writes the verifier's seed corpus: the example permits signed with the fuzz key. (The importers' seeds are
the small registry exports in ``tests/registry/fixtures``.)

Run from the repository root: ``.venv/bin/python -m fuzz.make_seeds``. The seeds are committed; rerun only
when the format changes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from fuzz.targets import CORPUS, FuzzSigner
from permits.envelope import seal
from permits.model import Permit

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEED_DAY = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def main() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        data.update(issued="2026-11-28", valid_until="2027-05-28")
        permit = Permit.from_mapping(data)
        (CORPUS / "verify" / f"{path.stem}.txt").write_text(seal(permit, FuzzSigner(), now=SEED_DAY))


if __name__ == "__main__":
    main()
