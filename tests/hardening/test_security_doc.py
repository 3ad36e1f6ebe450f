"""docs/SECURITY.md names a test for every attack: every test it names must exist."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT


def test_every_test_named_in_the_threat_model_exists() -> None:
    text = (REPO_ROOT / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    references = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text)
    assert len(references) > 40
    missing = []
    for file, name in references:
        source = REPO_ROOT / file
        if not source.exists() or not re.search(rf"^def {name}\(", source.read_text(), re.MULTILINE):
            missing.append(f"{file}::{name}")
    assert missing == []
