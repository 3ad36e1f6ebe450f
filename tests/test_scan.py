"""``cites scan``: QR texts typed on stdin and files dropped into a watched folder each get a verdict line
and a record in the post's scan log."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, CliResult

Cli = Callable[..., CliResult]
CITES = Path(sys.executable).with_name("cites")


def _issue(cli: Cli, tmp_path: Path) -> Path:
    keys = tmp_path / "keys"
    assert cli("keys", "new", "--party", "KE", "--authority", "KWS", "--out", keys).exit_code == 0
    assert cli("trust", "add", next(keys.glob("*.cert.pem")), "--party", "KE").exit_code == 0
    out = tmp_path / "out"
    assert (
        cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", next(keys.glob("*.key.pem")), "--out", out).exit_code
        == 0
    )
    return out


def _log(home: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (home / "scan-log.jsonl").read_text().splitlines()]


def test_scan_lines_from_a_handheld_scanner(cli: Cli, tmp_path: Path, cites_home: Path) -> None:
    out = _issue(cli, tmp_path)
    text = (out / "KE-2026-ZOO-0001.txt").read_text().strip()
    result = cli("scan", stdin=f"{text}\n\nCP1:NOT-A-PERMIT\n{text[:-5]}\n")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if "VALID" in line]
    assert len(lines) == 3
    assert "KE/2026/ZOO/0001" in lines[0] and "NOT VALID" not in lines[0]
    assert "NOT VALID" in lines[1] and "NOT VALID" in lines[2]
    assert [record["valid"] for record in _log(cites_home)] == [True, False, False]


def test_scan_watches_a_drop_folder(cli: Cli, tmp_path: Path, cites_home: Path) -> None:
    out = _issue(cli, tmp_path)
    drop = tmp_path / "drop"
    drop.mkdir()
    environment = {**os.environ, "CITES_HOME": str(cites_home), "COLUMNS": "200"}
    process = subprocess.Popen(
        [CITES, "scan", "--watch", drop, "--stop-after", "3"], env=environment, stdout=subprocess.PIPE, text=True
    )
    try:
        time.sleep(1.0)
        shutil.copy(out / "KE-2026-ZOO-0001.pdf", drop / "scan-001.pdf")
        shutil.copy(out / "KE-2026-ZOO-0001.png", drop / "scan-002.png")
        (drop / "scan-003.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
        stdout, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0
    verdicts = [line for line in stdout.splitlines() if "VALID" in line]
    assert len(verdicts) == 3, stdout
    assert "NOT VALID" not in verdicts[0] and "NOT VALID" not in verdicts[1]
    assert "NOT VALID" in verdicts[2] and "scan-003.png" in verdicts[2]
    assert [record["valid"] for record in _log(cites_home)] == [True, True, False]


def test_a_watched_folder_that_goes_away_is_one_error_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = tmp_path / "drop"  # a scanner's network share, unmounted while the post watches it
    drop.mkdir()
    monkeypatch.setattr("permits.scanning.time.sleep", lambda seconds: shutil.rmtree(drop, ignore_errors=True))
    result = cli("scan", "--watch", drop)
    assert result.exit_code == 2
    assert result.stderr == f"error: --watch: {drop}: cannot list the folder (No such file or directory)\n"


def test_an_over_long_scanned_line_is_malformed_with_the_read_check(cli: Cli, cites_home: Path) -> None:
    result = cli("scan", stdin="A" * 20_000 + "\n")  # docs/JSON.md, "Check ids not listed in FORMAT.md"
    assert result.exit_code == 0
    (record,) = _log(cites_home)
    checks = record["checks"]
    assert record["status"] == "MALFORMED" and isinstance(checks, list)
    assert [check["id"] for check in checks] == ["read"]


def test_stop_after_counts_files_ready_in_the_same_round(cli: Cli, tmp_path: Path, cites_home: Path) -> None:
    out = _issue(cli, tmp_path)  # the PDF, the PNG and the .txt are all in the folder when the watch starts
    result = cli("scan", "--watch", out, "--existing", "--stop-after", "1")
    assert result.exit_code == 0
    assert len([line for line in result.stdout.splitlines() if "VALID" in line]) == 1, result.stdout
    assert len(_log(cites_home)) == 1


def test_a_file_name_with_an_escape_sequence_is_shown_escaped() -> None:
    """A drop folder is shared: a file named with a terminal escape sequence must not repaint the counter's screen
    (the verdict line once printed the source and the reason raw)."""
    from permits.output.human import verdict_line
    from permits.verification import Verdict

    name = "drop/\x1b[2J\x1b[42mscan.png"
    line = verdict_line(Verdict.not_read(name, f"no permit QR code found in {name}")).plain
    assert "\x1b" not in line
    assert line.count("drop/\\x1b[2J\\x1b[42mscan.png") == 2 and "NOT VALID" in line


def test_a_file_name_with_a_line_break_cannot_forge_a_verdict_line() -> None:
    """A file named 'x<line feed>   VALID   KE/2026/ZOO/0001 (KE) VALID.png' would show a second line that starts
    with VALID under the real NOT VALID; a bidirectional override would reorder the line on screen."""
    from permits.output.human import verdict_line
    from permits.verification import Verdict

    name = "drop/x\n      VALID        KE/2026/ZOO/0001 (KE) VALID\u202e.png"
    line = verdict_line(Verdict.not_read(name, f"no permit QR code found in {name}")).plain
    assert "\n" not in line and "\u202e" not in line and line.startswith("     NOT VALID")
    assert "drop/x\\x0a      VALID" in line and "\\u202e.png" in line
