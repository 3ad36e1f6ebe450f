"""The two-Party walkthrough (examples/two-parties/walkthrough.sh) runs and every verdict in it is as expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_walkthrough


@pytest.mark.slow
def test_walkthrough(tmp_path: Path) -> None:
    output = run_walkthrough(EXAMPLES / "two-parties" / "walkthrough.sh", tmp_path / "story")
    assert "every verdict as expected" in output
    assert output.count("\x1b[32mok\x1b[0m") == 11  # 7 verdicts and 4 refusals
