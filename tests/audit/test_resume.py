"""Interrupting an audit (Ctrl-C, SIGKILL, a torn last record, a document with only some of its rows written)
and resuming it gives the report and findings of an uninterrupted run, byte for byte; a damaged or foreign
report, or one another audit holds, is refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from permits.audit.runner import run_audit
from permits.envelope import seal
from permits.errors import InputError
from permits.ledger import open_ledger
from tests.audit.batch import zoo
from tests.conftest import MakeAuthority
from tests.reading.samples import a4_page, qr_image

CITES = Path(sys.executable).with_name("cites")


@pytest.fixture
def payloads(tmp_path: Path, make_authority: MakeAuthority) -> Path:
    """5,000 signed permits, one per line; every 7th repeats a security stamp (findings to compare too)."""
    kenya = make_authority().key
    permit = zoo("KE/0", "S-0", "CHIP-0")
    source = tmp_path / "payloads.txt"
    with open(source, "w") as handle:
        for index in range(5000):
            stamp = f"S-{index - index % 7}"
            handle.write(seal(dataclasses.replace(permit, number=f"KE/{index}", security_stamp=stamp), kenya) + "\n")
    return source


def _audit(source: Path, report: Path, *extra: str) -> subprocess.Popen[bytes]:
    arguments = [str(CITES), "audit", str(source), "--report", str(report), "--workers", "2", "--quiet", *extra]
    return subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.parametrize("kill", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "sigkill"])
def test_a_resumed_audit_equals_an_uninterrupted_one(payloads: Path, tmp_path: Path, kill: signal.Signals) -> None:
    whole, partial = tmp_path / "whole.jsonl", tmp_path / "partial.jsonl"
    assert _audit(payloads, whole).wait(timeout=120) == 1
    process = _audit(payloads, partial)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < 100_000):
        time.sleep(0.01)
    workers = _children(process.pid)
    process.send_signal(kill)
    code = process.wait(timeout=60)
    assert code == (130 if kill == signal.SIGINT else -signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(_alive, workers)):
        time.sleep(0.1)
    assert len(workers) >= 2 and not any(map(_alive, workers)), "workers outlived the audit"
    if kill == signal.SIGINT:
        assert b"add --resume to continue" in (process.stderr.read() if process.stderr else b"")
    written = partial.read_bytes()
    assert 0 < written.count(b"\n") < 5000, "the audit was not interrupted midway"
    assert whole.read_bytes().startswith(written.rpartition(b"\n")[0])
    assert _audit(payloads, partial, "--resume").wait(timeout=120) == 1
    assert partial.read_bytes() == whole.read_bytes()
    assert (tmp_path / "partial.findings.jsonl").read_bytes() == (tmp_path / "whole.findings.jsonl").read_bytes()


def _children(pid: int) -> list[int]:
    return [
        int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
    ]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_torn_last_record_is_cut_and_redone(tmp_path: Path, make_authority: MakeAuthority, suffix: str) -> None:
    kenya = make_authority().key
    source = tmp_path / "few.txt"
    source.write_text("".join(seal(zoo(f"KE/{n}", f"S-{n}", f"C-{n}"), kenya) + "\n" for n in range(5)))
    whole, torn = tmp_path / f"whole{suffix}", tmp_path / f"torn{suffix}"
    run_audit([source], whole)
    content = whole.read_bytes()
    torn.write_bytes(content[: content.index(b"\n", len(content) // 2) + 200])  # rows, then half a row
    _copy_run_record(whole, torn)
    result = run_audit([source], torn, resume=True)
    assert torn.read_bytes() == content and result.resumed_rows < 5 and result.summary.rows == 5


def test_a_document_cut_between_its_rows_is_read_again(tmp_path: Path, make_authority: MakeAuthority) -> None:
    kenya = make_authority().key
    texts = [seal(zoo(f"KE/{n}", f"S-{n}", f"C-{n}"), kenya) for n in range(3)]
    (tmp_path / "first.txt").write_text(texts[0] + "\n")
    a4_page(*(qr_image(text) for text in texts[1:])).save(tmp_path / "two-permits.png")
    inputs = [tmp_path / "first.txt", tmp_path / "two-permits.png"]
    whole, cut = tmp_path / "whole.jsonl", tmp_path / "cut.jsonl"
    run_audit(inputs, whole)
    content = whole.read_bytes()
    rows = [json.loads(line) for line in content.splitlines()]
    assert [(Path(row["input"]).name, row["page"]) for row in rows] == [
        ("first.txt:1", None),
        *[("two-permits.png", None)] * 2,
    ]
    cut.write_bytes(content[: content.index(b"\n", content.index(b"\n") + 1) + 1])  # the image's first row only
    _copy_run_record(whole, cut)
    result = run_audit(inputs, cut, resume=True)
    assert cut.read_bytes() == content and result.resumed_rows == 1


def test_damaged_foreign_or_busy_reports_are_refused(tmp_path: Path, make_authority: MakeAuthority) -> None:
    source = tmp_path / "one.txt"
    source.write_text(seal(zoo("KE/1", "S-1", "C-1"), make_authority().key) + "\n")
    report = tmp_path / "report.jsonl"
    run_audit([source], report)
    row = report.read_text()
    report.write_text("{torn\n" + row)
    with pytest.raises(InputError, match="damaged record at byte 0; cannot resume"):
        run_audit([source], report, resume=True)
    report.write_text('{"some": "other JSON"}\n')
    with pytest.raises(InputError, match="is not an audit report row"):
        run_audit([source], report, resume=True)
    report.write_text(row)
    with open(report, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(InputError, match="another audit is writing this report"):
            run_audit([source], report, resume=True)
    assert report.read_text() == row and not list(tmp_path.glob(".cites-audit-index-*"))


def _copy_run_record(report: Path, copy: Path) -> None:
    """Give a report cut from another its run record too (an interrupted audit leaves both)."""
    copy.with_name(f"{copy.stem}.run.json").write_bytes(report.with_name(f"{report.stem}.run.json").read_bytes())


def test_resuming_with_other_settings_is_refused(tmp_path: Path, make_authority: MakeAuthority) -> None:
    """Rows judged against another ledger, trust source, revocation lists or registry are not mixed into one
    report: the run record beside it names what changed, and the report is left as it was."""
    source = tmp_path / "one.txt"
    source.write_text(seal(zoo("KE/1", "S-1", "C-1"), make_authority().key) + "\n")
    report = tmp_path / "report.jsonl"
    run_audit([source], report)
    record = json.loads(report.with_name("report.run.json").read_text())
    assert record["format"] == "cites-audit-run/3" and record["inputs"] == [str(source)]
    assert record["ledger"] is None and "local trust store" in record["trust"]
    written = report.read_bytes()
    ledger = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    open_ledger(ledger).alerts()  # creates the ledger
    with pytest.raises(InputError, match=r"judged against other settings \(ledger: None, now 'sqlite:///"):
        run_audit([source], report, resume=True, ledger_url=ledger)
    assert report.read_bytes() == written
    report.with_name("report.run.json").unlink()
    with pytest.raises(InputError, match="no run record of the interrupted audit"):
        run_audit([source], report, resume=True)


def test_a_csv_cell_a_spreadsheet_would_run_is_quoted_and_read_back(
    tmp_path: Path, make_authority: MakeAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seized file named like a formula, audited by a relative path, is written with one leading quote, which a
    resume reads away."""
    monkeypatch.chdir(tmp_path)
    source = Path("=HYPERLINK(1)+1.txt")
    source.write_text("".join(seal(zoo(f"KE/{n}", f"S-{n}", f"C-{n}"), make_authority().key) + "\n" for n in range(3)))
    whole, cut = Path("whole.csv"), Path("cut.csv")
    run_audit([source], whole)
    content = whole.read_bytes()
    assert content.splitlines()[1].startswith(b"'=HYPERLINK(1)+1.txt:1,'=HYPERLINK(1)+1.txt,")
    lines = content.splitlines(keepends=True)
    cut.write_bytes(b"".join(lines[:3]))  # the header and two rows: the last input's row is judged again
    _copy_run_record(whole, cut)
    assert run_audit([source], cut, resume=True).resumed_rows == 1 and cut.read_bytes() == content


def test_every_permit_is_judged_as_of_one_moment(tmp_path: Path, make_authority: MakeAuthority) -> None:
    """``--at`` judges the batch as of that moment, recorded in the run record and kept by a resume; without it
    the moment is the audit's start, which a resume keeps too (a resume the next day judges no permit as of
    another day than the rows before it)."""
    expired = seal(zoo("KE/1", "S-1", "C-1", issued="2024-01-10"), make_authority().key)
    source = tmp_path / "old.txt"
    source.write_text(f"{expired}\n" * 3)
    report = tmp_path / "report.jsonl"
    at = dt.datetime(2024, 2, 1, 12, tzinfo=dt.UTC)
    run_audit([source], report, at=at)
    assert [row["status"] for row in _rows(report)] == ["VALID"] * 3
    record = report.with_name("report.run.json")
    assert json.loads(record.read_text())["at"] == "2024-02-01T12:00:00+00:00"
    with pytest.raises(InputError, match=r"judged against other settings \(at: '2024-02-01T12:00:00\+00:00', now '"):
        run_audit([source], report, resume=True, at=at + dt.timedelta(days=1))

    fresh = tmp_path / "fresh.jsonl"
    run_audit([source], fresh)
    assert [row["status"] for row in _rows(fresh)] == ["EXPIRED"] * 3
    settings = json.loads(fresh.with_name("fresh.run.json").read_text())
    assert settings["at"] is None
    settings["started"] = "2024-02-01T08:00:00+00:00"  # the interrupted audit started then
    fresh.with_name("fresh.run.json").write_text(json.dumps(settings))
    with open(fresh, "r+b") as handle:
        handle.truncate(len(handle.readline() + handle.readline()))  # two rows were written (the last is redone)
    run_audit([source], fresh, resume=True)
    assert [row["status"] for row in _rows(fresh)] == ["EXPIRED", "VALID", "VALID"]


def _rows(report: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in report.read_text().splitlines()]
