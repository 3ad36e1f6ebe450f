"""The audit walkthrough (examples/audit/walkthrough.sh) runs and every verdict and finding in it is as expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_walkthrough


@pytest.mark.slow
def test_audit_walkthrough(tmp_path: Path) -> None:
    output = run_walkthrough(EXAMPLES / "audit" / "walkthrough.sh", tmp_path / "audit")
    assert "every verdict and finding as expected" in output
    assert output.count("\x1b[32mok\x1b[0m") == 17  # exit code, 9 rows, 5 findings, the HTML page, the register
