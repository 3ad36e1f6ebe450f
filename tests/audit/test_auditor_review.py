"""An auditor's files as real tools write them (spreadsheets' CSV, hand-made JSON Lines), odd ``--at`` values and
outputs that cannot be written: each is read correctly or refused in one line naming the file, never a
traceback, never a permit VALID that was not proven, never an hour of work lost to a folder found unwritable
at the end."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from permits.audit.inputs import AuditInput, iter_inputs
from permits.envelope import seal
from tests.audit.batch import zoo
from tests.conftest import CliResult, MakeAuthority

Cli = Callable[..., CliResult]


def _statuses(report: Path) -> list[tuple[str, str]]:
    return [(row["input"], row["status"]) for row in map(json.loads, report.read_text().splitlines())]


@pytest.fixture
def texts(make_authority: MakeAuthority) -> list[str]:
    """Two genuine QR texts of the trusted Kenyan authority."""
    kenya = make_authority().key
    return [seal(zoo(f"KE/{number}", f"S-{number}", f"CHIP-{number}"), kenya) for number in (1, 2)]


def test_csv_as_spreadsheets_save_it_is_read(cli: Cli, tmp_path: Path, texts: list[str]) -> None:
    """Excel in Europe: semicolons, CRLF, a quoted cell over two lines; "Unicode text": UTF-16 with a byte-order
    mark, tab-separated; a header written ``Payload`` or `` payload ``."""
    first, second = texts
    (tmp_path / "a-semicolons.csv").write_bytes(f'note;payload\r\n"two\r\nlines; here";{first}\r\n'.encode())
    (tmp_path / "b-unicode-text.csv").write_text(f"note\tpayload\r\nx\t{second}\r\n", encoding="utf-16")
    (tmp_path / "c-case.csv").write_text(f"Note, Payload \n1,{first}\n")
    report = tmp_path / "out" / "r.jsonl"
    result = cli("audit", tmp_path, "--report", report, "--workers", "1")
    assert result.exit_code == 1, result.stderr  # the one permit in two files is a REPEATED_PERMIT warning
    assert _statuses(report) == [
        (f"{tmp_path}/a-semicolons.csv:2", "VALID"),
        (f"{tmp_path}/b-unicode-text.csv:2", "VALID"),
        (f"{tmp_path}/c-case.csv:2", "VALID"),
    ]


def test_csv_that_cannot_be_read_as_one_table_is_one_clear_row(tmp_path: Path) -> None:
    """Two payload columns (which one holds the permit?), UTF-16 without its byte-order mark, and a header
    without a record (it was read: the report says so, as for an empty JSON Lines or text file)."""
    twice, binary, header = tmp_path / "twice.csv", tmp_path / "no-bom.csv", tmp_path / "header-only.csv"
    twice.write_text("payload,Payload\nCP1:FORGED,CP1:OTHER\n")
    binary.write_bytes("payload\nCP1:A\n".encode("utf-16-le"))
    header.write_text("note;payload\r\n")
    assert list(iter_inputs([twice, binary, header])) == [
        AuditInput(str(twice), str(twice), problem=f"{twice}: columns 1 and 2 are both named 'payload'; keep one",
                   unreadable=True),
        AuditInput(str(binary), str(binary),
                   problem=f"{binary}: not a text file (binary content; save the CSV as UTF-8 or UTF-16 text)",
                   unreadable=True),
        AuditInput(str(header), str(header), problem=f"no record under the header row of {header}"),
    ]  # fmt: skip


def test_a_json_line_with_the_payload_key_twice_is_unreadable(tmp_path: Path, texts: list[str]) -> None:
    """Python keeps the last value, other readers the first: the audit must not prove one permit while a reader
    of the file sees another."""
    source = tmp_path / "export.jsonl"
    source.write_text(f'{{"payload": "CP1:FORGED", "payload": "{texts[0]}"}}\n{{"payload": "{texts[1]}"}}\n')
    file = str(source)
    assert list(iter_inputs([source])) == [
        AuditInput(f"{file}:1", file, 1, problem="the key 'payload' appears more than once in this JSON object",
                   unreadable=True),
        AuditInput(f"{file}:2", file, 2, text=texts[1]),
    ]  # fmt: skip


@pytest.mark.parametrize("moment", ["0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"])
def test_an_at_out_of_range_is_a_usage_error(cli: Cli, tmp_path: Path, texts: list[str], moment: str) -> None:
    good = tmp_path / "good.txt"
    good.write_text(texts[0] + "\n")
    result = cli("audit", good, "--report", tmp_path / "r.jsonl", "--at", moment)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: --at: '{moment}' is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)\n"
    assert not list(tmp_path.glob("r.*"))


def test_an_output_folder_that_cannot_be_written_is_refused_before_the_audit(
    cli: Cli, tmp_path: Path, texts: list[str]
) -> None:
    """Not after every permit was judged, with the report written and the page or findings lost."""
    good = tmp_path / "good.txt"
    good.write_text(texts[0] + "\n")
    (tmp_path / "notes").write_text("a file, not a folder\n")
    for option in ("--html", "--findings"):
        result = cli("audit", good, "--report", tmp_path / "r.jsonl", option, tmp_path / "notes" / "out.jsonl")
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr == f"error: {tmp_path / 'notes'}: is a file, not a folder\n"
        assert not list(tmp_path.glob("r.*"))
    if os.geteuid() == 0:
        pytest.skip("root writes in a read-only folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    result = cli("audit", good, "--report", locked / "r.jsonl")
    assert result.exit_code == 2
    assert result.stderr == f"error: {locked}: cannot write in this folder (Permission denied)\n"
