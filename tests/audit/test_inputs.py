"""Audit inputs: which files a folder gives, in which order, and what each kind of file yields."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from permits import limits
from permits.audit.inputs import AuditInput, iter_inputs


def _references(*paths: Path) -> list[str]:
    return [item.reference for item in iter_inputs(list(paths))]


def test_folders_are_walked_in_name_order_and_read_once(tmp_path: Path) -> None:
    (tmp_path / "b" / ".hidden").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("CP1:A\n\n CP1:B \n")
    (tmp_path / "b" / "c.jsonl").write_text('{"payload": "CP1:C"}\n')
    (tmp_path / "b" / ".hidden" / "d.txt").write_text("CP1:D\n")
    (tmp_path / "b" / ".e.txt").write_text("CP1:E\n")
    (tmp_path / "b" / "notes.md").write_text("not an input\n")
    (tmp_path / "scan.log").write_text("CP1:F\n")
    folder = str(tmp_path)
    assert _references(tmp_path, tmp_path / "a.txt", tmp_path) == [
        f"{folder}/a.txt:1", f"{folder}/a.txt:3", f"{folder}/b/c.jsonl:1", f"{folder}/scan.log:1",
    ]  # fmt: skip
    assert [item.text for item in iter_inputs([tmp_path / "a.txt"])] == ["CP1:A", "CP1:B"]
    assert _references(tmp_path / "b" / "notes.md") == [f"{folder}/b/notes.md:1"]  # named: read as text


def test_documents_by_suffix_or_by_content(tmp_path: Path) -> None:
    Image.new("L", (8, 8)).save(tmp_path / "photo.png")
    Image.new("L", (8, 8)).save(tmp_path / "photo.upload", format="PNG")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    items = list(iter_inputs([tmp_path / "photo.upload", tmp_path]))
    assert [(item.reference, item.is_document) for item in items] == [
        (str(tmp_path / "photo.upload"), True),
        (str(tmp_path / "photo.png"), True),
        (str(tmp_path / "scan.pdf"), True),
    ]


def test_json_lines(tmp_path: Path) -> None:
    source = tmp_path / "export.ndjson"
    source.write_text('{"qr": "CP1:A"}\n{"payload": "CP1:B"}\n[1, 2]\nnot json\n' + "[" * 100_000 + "\n")
    file = str(source)
    assert list(iter_inputs([source], ("qr",))) == [
        AuditInput(f"{file}:1", file, 1, text="CP1:A"),
        AuditInput(f"{file}:2", file, 2, problem="no 'qr' text in this JSON line"),
        AuditInput(f"{file}:3", file, 3, problem="no 'qr' text in this JSON line"),
        AuditInput(f"{file}:4", file, 4, problem="not a JSON object (Expecting value: line 1 column 1 (char 0))",
                   unreadable=True),
        AuditInput(f"{file}:5", file, 5, problem="not a JSON object (nested too deeply)", unreadable=True),
    ]  # fmt: skip
    source.write_text("\n  \n")  # read, and nothing in it: one row says so, as for an empty text file
    assert list(iter_inputs([source], ("qr",))) == [AuditInput(file, file, problem=f"no JSON line in {file}")]


def test_csv_records_keep_the_line_they_start_on(tmp_path: Path) -> None:
    source = tmp_path / "seized.csv"
    source.write_text('note,qr\n"two\nlines",CP1:A\n\nx,\ny,CP1:B\n')
    file = str(source)
    assert list(iter_inputs([source], ("qr",))) == [
        AuditInput(f"{file}:2", file, 2, text="CP1:A"),
        AuditInput(f"{file}:5", file, 5, problem="empty 'qr' cell"),
        AuditInput(f"{file}:6", file, 6, text="CP1:B"),
    ]
    [missing] = iter_inputs([source], ("payload",))
    assert missing == AuditInput(
        file,
        file,
        problem=f"{file}: no column 'payload' (columns: note, qr); name it with --payload-column",
        unreadable=True,
    )


def test_sources_that_name_the_payload_otherwise_in_one_audit(tmp_path: Path) -> None:
    """``--payload-column qr --payload-column payload``: each file (CSV) or JSON line uses the first it has."""
    table, lines = tmp_path / "scanner.csv", tmp_path / "export.jsonl"
    table.write_text("payload,qr\nCP1:NOT-THIS,CP1:A\n")
    lines.write_text('{"payload": "CP1:B"}\n{"qr": "CP1:C", "payload": "CP1:NOT-THIS"}\n{"id": 1}\n')
    items = list(iter_inputs([table, lines], ("qr", "payload")))
    assert [(item.text, item.problem) for item in items] == [
        ("CP1:A", None), ("CP1:B", None), ("CP1:C", None), (None, "no 'qr' or 'payload' text in this JSON line")
    ]  # fmt: skip


def test_semicolon_and_tab_separated_files_are_read_by_their_header(tmp_path: Path) -> None:
    for name, separator in (("excel.csv", ";"), ("tabs.csv", "\t")):
        source = tmp_path / name
        source.write_text(f"note{separator}qr\nfirst, with a comma{separator}CP1:A\n")
        assert list(iter_inputs([source], ("qr",))) == [AuditInput(f"{source}:2", str(source), 2, text="CP1:A")]


def test_a_file_that_cannot_be_read_is_one_unreadable_input(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere")
    [item] = iter_inputs([tmp_path])
    assert item.reference == str(tmp_path / "gone.txt") and item.unreadable
    assert item.problem == f"{tmp_path / 'gone.txt'}: audit input file not found"


def test_an_over_long_line_is_refused_unread_and_the_next_lines_are_read(tmp_path: Path) -> None:
    """A line longer than any QR text (a text file) or any record (JSON Lines, CSV) is one unreadable input,
    read in bounded pieces: memory stays flat however long it is. In CSV it ends the file, and says so (a quoted
    cell may span lines: no later line is known to start a record)."""
    text, jsonl, table = tmp_path / "scanner.txt", tmp_path / "export.jsonl", tmp_path / "export.csv"
    text.write_text("CP1:A\n" + "X" * (limits.MAX_INPUT_LINE_CHARS + 1) + "\nCP1:B\n")
    jsonl.write_text('{"payload": "' + "X" * limits.MAX_RECORD_CHARS + '"}\n{"payload": "CP1:C"}\n')
    table.write_text("payload\nCP1:D\n" + "X" * (limits.MAX_RECORD_CHARS + 1) + "\nCP1:E\n")
    items = list(iter_inputs([text, jsonl, table]))
    assert [(item.reference.rsplit("/", 1)[1], item.text, item.unreadable) for item in items] == [
        ("scanner.txt:1", "CP1:A", False),
        ("scanner.txt:2", None, True),
        ("scanner.txt:3", "CP1:B", False),
        ("export.jsonl:1", None, True),
        ("export.jsonl:2", "CP1:C", False),
        ("export.csv:2", "CP1:D", False),
        ("export.csv:3", None, True),
    ]
    assert items[1].problem == "longer than 17,184 characters (no QR text is); refused"
    assert (
        items[-1].problem
        == "not valid CSV (a line longer than 1,000,000 characters); the rest of the file was not read"
    )


def test_an_earlier_audits_report_in_an_audited_folder_is_one_input(tmp_path: Path) -> None:
    old = tmp_path / "last-year.jsonl"
    row = '{"input": "a.pdf", "valid": true, "status": "VALID", "reason": "ok", "checks": []}\n'
    old.write_text(row * 300)
    assert list(iter_inputs([tmp_path])) == [
        AuditInput(str(old), str(old), problem=f"{old}: a cites audit report or findings file, not read")
    ]
