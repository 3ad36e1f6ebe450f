"""A mixed batch audited end to end: every verdict and every cross-permit finding, reports in JSONL and CSV,
the HTML page, and resuming after the audit was killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from keys.keyfile import SigningKey
from permits.envelope import seal
from permits.model import Permit
from tests.conftest import CliResult, MakeAuthority, example_mapping

Cli = Callable[..., CliResult]


def _permit(name: str, **changes: Any) -> Permit:
    data = example_mapping(name)
    data.update(changes)
    return Permit.from_mapping(data)


def _zoo(number: str, stamp: str, chip: str, **changes: Any) -> Permit:
    data = example_mapping("zoo-transfer-app1.yaml")
    line = {**data["items"][0], "marks": [{"kind": "microchip", "id": chip}]}  # type: ignore[index]
    data.update(number=number, security_stamp=stamp, items=[line], **changes)
    return Permit.from_mapping(data)


@pytest.fixture
def batch(make_authority: MakeAuthority, cli: Cli, tmp_path: Path) -> dict[str, str]:
    """Labelled QR texts: the expected status of each is in its name."""
    kenya = make_authority("KE", "Kenya Wildlife Service").key
    italy = make_authority("IT", "Ministero dell'Ambiente").key
    zimbabwe = make_authority("ZW", "ZimParks").key
    stranger = make_authority("KE", "Forger", trusted=False).key
    texts: dict[str, str] = {}

    def add(label: str, permit: Permit, key: SigningKey) -> None:
        texts[label] = seal(permit, key)

    add("valid-1", _zoo("KE/1", "S-1", "900000000000001"), kenya)
    add("forged", _zoo("KE/2", "S-2", "900000000000002"), stranger)
    add("expired", _zoo("KE/3", "S-3", "900000000000003", issued="2024-01-10"), kenya)
    add("revoked", _zoo("KE/4", "S-4", "900000000000004"), kenya)
    add("used", _zoo("KE/5", "S-5", "900000000000005"), kenya)
    add("stamp-a", _zoo("KE/6", "S-66", "900000000000006"), kenya)
    add("stamp-b", _zoo("KE/7", "S-66", "900000000000007"), kenya)
    add("chip-a", _zoo("KE/8", "S-8", "900000000000099"), kenya)
    add("chip-b", _zoo("KE/9", "S-9", "900000000000099"), kenya)
    origin = {"country": "ZW", "number": "ZW/2025/00871", "date": "2025-09-14"}
    crocodile = example_mapping("reexport-certificate.yaml")["items"][0]  # type: ignore[index]
    origin_line = {**crocodile, "origin": None, "last_reexport": None, "quantity": 24}
    origin_permit = _permit(
        "reexport-certificate.yaml", type="export", number="ZW/2025/00871", issued="2026-06-01",
        exporter={"name": "Croc Farm", "country": "ZW"}, authority={"name": "ZimParks", "country": "ZW"},
        importer={"name": "Pelletterie", "country": "IT"}, items=[origin_line],
    )  # fmt: skip
    add("origin", origin_permit, zimbabwe)
    for index in (1, 2):
        line = {**crocodile, "origin": origin, "quantity": 20}
        reexport = _permit(
            "reexport-certificate.yaml", number=f"IT/RE/{index}", security_stamp=f"IT-{index}", items=[line]
        )
        add(f"reexport-{index}", reexport, italy)
    tampered = texts["valid-1"]
    texts["tampered"] = tampered[:-8] + ("A" if tampered[-8] != "A" else "B") + tampered[-7:]
    # revoke KE/4 and use KE/5 with the real commands
    ke_key = tmp_path / "keys" / f"KE-{kenya.kid.hex()}.key.pem"
    assert cli("revoke", "KE/4", "--reason", "stolen", "--key", ke_key).exit_code == 0
    assert cli("revocations", "publish", "--key", ke_key, "--out", tmp_path / "ke-revoked.json").exit_code == 0
    assert cli("revocations", "update", tmp_path / "ke-revoked.json").exit_code == 0
    assert cli("endorse", "--payload", texts["used"], "--port", "Mombasa", "--officer", "A").exit_code == 0
    return texts


EXPECTED = {
    "valid-1": "VALID", "forged": "UNKNOWN_KEY", "expired": "EXPIRED", "revoked": "REVOKED", "used": "ALREADY_USED",
    "stamp-a": "VALID", "stamp-b": "VALID", "chip-a": "VALID", "chip-b": "VALID", "origin": "VALID",
    "reexport-1": "VALID", "reexport-2": "VALID", "tampered": "NOT VALID",
}  # fmt: skip


def _write_inputs(batch: dict[str, str], folder: Path) -> list[str]:
    labels = list(batch)
    (folder / "scanner.txt").write_text("\n".join(batch[label] for label in labels[:7]) + "\n")
    rows = [json.dumps({"id": label, "payload": batch[label]}) for label in labels[7:]]
    (folder / "archive.jsonl").write_text("\n".join(rows) + "\n")
    return labels


def test_mixed_batch_verdicts_and_findings(cli: Cli, tmp_path: Path, batch: dict[str, str]) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    labels = _write_inputs(batch, folder)
    report, page = tmp_path / "report.jsonl", tmp_path / "audit.html"
    result = cli("audit", folder, "--report", report, "--html", page, "--workers", "1", "--quiet")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    by_text = {label: batch[label] for label in labels}
    statuses = {}
    for row in rows:
        label = next(label for label, text in by_text.items() if row["input"].endswith(_line_of(folder, labels, label)))
        statuses[label] = row["status"]
    assert statuses.pop("tampered") in ("MALFORMED", "BAD_SIGNATURE")  # the checksum or the signature breaks
    assert statuses == {label: status for label, status in EXPECTED.items() if label != "tampered"}
    findings = [json.loads(line) for line in (tmp_path / "report.jsonl.findings.jsonl").read_text().splitlines()]
    kinds = {finding["finding"]: finding for finding in findings}
    assert "S-66" in kinds["REUSED_STAMP"]["message"]
    assert "900000000000099" in kinds["DUPLICATE_MARK"]["message"]
    assert "40 NUM in all, more than the 24 NUM" in kinds["REEXPORT_OVER_QUANTITY"]["message"]
    assert set(kinds) == {"REUSED_STAMP", "DUPLICATE_MARK", "REEXPORT_OVER_QUANTITY"}
    content = page.read_text()
    assert (
        content.count("<svg") == 4
        and "Failures by reason" in content
        and "http" not in content.replace("http://www.w3.org/2000/svg", "")
    )


def _line_of(folder: Path, labels: list[str], label: str) -> str:
    index = labels.index(label)
    return f"scanner.txt line {index + 1}" if index < 7 else f"archive.jsonl line {index - 6}"


def test_csv_report_and_duplicate_numbers(cli: Cli, tmp_path: Path, make_authority: MakeAuthority) -> None:
    kenya = make_authority().key
    first, second = _zoo("KE/77", "S-1", "1"), _zoo("KE/77", "S-2", "2")
    source = tmp_path / "payloads.csv"
    source.write_text("ref,qr\n" + "".join(f"{index},{seal(p, kenya)}\n" for index, p in enumerate((first, second))))
    report = tmp_path / "report.csv"
    result = cli("audit", source, "--report", report, "--payload-column", "qr", "--workers", "1")
    assert result.exit_code == 1 and "DUPLICATE_NUMBER" in result.stderr
    assert report.read_text().splitlines()[0].startswith("input,source,valid,status")


def test_all_valid_batch_exits_0_and_usage_errors_exit_2(
    cli: Cli, tmp_path: Path, make_authority: MakeAuthority
) -> None:
    kenya = make_authority().key
    (tmp_path / "ok.txt").write_text(seal(_zoo("KE/1", "S-1", "1"), kenya) + "\n")
    assert cli("audit", tmp_path / "ok.txt", "--report", tmp_path / "r.jsonl", "--workers", "1").exit_code == 0
    assert cli("audit", tmp_path / "ok.txt", "--report", tmp_path / "r.jsonl").exit_code == 2  # exists, no --resume
    assert cli("audit", tmp_path / "missing.txt", "--report", tmp_path / "s.jsonl").exit_code == 2
    assert cli("audit", tmp_path / "ok.txt", "--report", tmp_path / "r.txt").exit_code == 2


@pytest.mark.parametrize("kill", [signal.SIGINT, signal.SIGKILL])
def test_resume_after_interruption_gives_the_same_report(
    tmp_path: Path, make_authority: MakeAuthority, cites_home: Path, kill: signal.Signals
) -> None:
    kenya = make_authority().key
    texts = [seal(_zoo(f"KE/{index}", f"S-{index}", str(index)), kenya) for index in range(400)]
    source = tmp_path / "many.txt"
    source.write_text("\n".join(texts) + "\n")
    cites = Path(sys.executable).with_name("cites")
    environment = {**os.environ, "CITES_HOME": str(cites_home)}
    whole = tmp_path / "whole.jsonl"
    subprocess.run(
        [cites, "audit", source, "--report", whole, "--workers", "2", "--quiet"], env=environment, check=False
    )
    partial = tmp_path / "partial.jsonl"
    process = subprocess.Popen(
        [cites, "audit", source, "--report", partial, "--workers", "2", "--quiet"], env=environment
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not partial.exists() or partial.read_text().count("\n") < 50):
        time.sleep(0.05)
    process.send_signal(kill)
    process.wait(timeout=60)
    assert partial.read_text().count("\n") < 400
    subprocess.run([cites, "audit", source, "--report", partial, "--resume", "--workers", "2", "--quiet"],
                   env=environment, check=False)  # fmt: skip

    def rows(path: Path) -> list[str]:
        return sorted(
            json.dumps({**json.loads(line), "signer": None}, sort_keys=True) for line in path.read_text().splitlines()
        )

    assert rows(partial) == rows(whole)
