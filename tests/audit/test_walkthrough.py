"""The audit walkthrough (examples/audit/walkthrough.sh) runs and every verdict and finding in it is as expected."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "examples" / "audit" / "walkthrough.sh"


@pytest.mark.slow
def test_audit_walkthrough(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {key: value for key, value in os.environ.items() if key not in ("CITES_HOME", "CITES_KEY_PASSPHRASE")}
    result = subprocess.run(
        ["bash", str(SCRIPT), str(bin_dir), str(tmp_path / "audit")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "every verdict and finding as expected" in result.stdout
    assert result.stdout.count("\x1b[32mok\x1b[0m") == 16  # exit code, 9 rows, 5 findings, the HTML page
    assert "FAIL" not in result.stdout
