"""A mixed batch audited end to end with the real commands: every verdict, every cross-permit finding, the same
report from one worker and from two, CSV as lossless as JSON Lines, the HTML page, the exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import cbor2
import pytest

from permits.audit.reports import finding_format, report_format
from permits.envelope import PREFIX, base45, seal
from permits.model import Permit
from tests.audit.batch import altered, crocodile_export, crocodile_reexport, with_changed_character, zoo
from tests.conftest import EXAMPLES, CliResult, MakeAuthority

Cli = Callable[..., CliResult]


@dataclass(frozen=True)
class Batch:
    folder: Path
    expected: list[tuple[str, str]]
    """(input reference, status) of every report row, in report order."""


@pytest.fixture
def batch(make_authority: MakeAuthority, cli: Cli, tmp_path: Path) -> Batch:
    kenya, italy, zimbabwe = (
        make_authority("KE", "Kenya Wildlife Service"),
        make_authority("IT", "Ministero dell'Ambiente"),
        make_authority("ZW", "ZimParks"),
    )
    forger = make_authority("KE", "Forger", trusted=False)

    def sign(permit: Permit, authority: object = kenya) -> str:
        return seal(permit, authority.key)  # type: ignore[attr-defined]

    valid = sign(zoo("KE/1", "S-1", "CHIP-1"))
    used = sign(zoo("KE/7", "S-7", "CHIP-7"))
    scanner = [
        valid,
        sign(zoo("KE/2", "S-2", "CHIP-2"), forger),
        "",
        with_changed_character(sign(zoo("KE/3", "S-3", "CHIP-3"))),
        altered(sign(zoo("KE/4", "S-4", "CHIP-4")), zoo("KE/4", "S-4", "CHIP-99")),
        sign(zoo("KE/5", "S-5", "CHIP-5", issued="2024-01-10")),
        sign(zoo("KE/6", "S-6", "CHIP-6")),
        used,
    ]
    archive = [
        json.dumps({"payload": sign(zoo("KE/8", "S-88", "CHIP-8"))}),
        json.dumps({"payload": sign(zoo("KE/9", "S-88", "CHIP-9"))}),
        json.dumps({"id": 3, "payload": sign(zoo("KE/10", "S-10", "900118000999"))}),
        json.dumps({"id": 4, "payload": sign(zoo("KE/11", "S-11", "900 118 000 999"))}),
        json.dumps({"id": 5}),
        "this line is not JSON",
        json.dumps({"payload": valid}),
    ]
    seized = [
        sign(zoo("KE/12", "S-12", "CHIP-12")),
        sign(zoo("KE/12", "S-13", "CHIP-13")),
        sign(crocodile_export("ZW/2026/00871", 24), zimbabwe),
        sign(crocodile_reexport("IT/RE/1", 20, "ZW/2026/00871"), italy),
        sign(crocodile_reexport("IT/RE/2", 20, "ZW/2026/00871"), italy),
        sign(crocodile_export("ZW/2026/00872", 10), zimbabwe),
        sign(crocodile_reexport("IT/RE/3", 5, "ZW/2026/00872"), italy),
        sign(crocodile_reexport("IT/RE/4", 5, "ZW/2026/09999"), italy),
    ]
    folder = tmp_path / "batch"
    (folder / "sub" / "scans").mkdir(parents=True)
    (folder / "scanner.txt").write_text("\n".join(scanner) + "\n")
    (folder / "archive.jsonl").write_text("\n".join(archive) + "\n")
    (folder / "sub" / "seized.csv").write_text(
        "ref,payload\n" + "".join(f"r{n},{text}\n" for n, text in enumerate(seized))
    )
    (folder / "notes.md").write_text("not an input: skipped in a folder\n")
    issued = tmp_path / "issued"
    assert (
        cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", kenya.files.private, "--out", issued).exit_code == 0
    )
    shutil.copy(issued / "KE-2026-ZOO-0001.pdf", folder / "sub" / "scans" / "permit.pdf")
    shutil.copy(issued / "KE-2026-ZOO-0001.png", folder / "sub" / "scans" / "photo.png")
    for authority, number in ((kenya, "KE/6"), (zimbabwe, "ZW/2026/00872")):
        listing = tmp_path / f"revoked-{number[:2]}.json"
        assert cli("revoke", number, "--reason", "stolen", "--key", authority.files.private).exit_code == 0
        assert cli("revocations", "publish", "--key", authority.files.private, "--out", listing).exit_code == 0
        assert cli("revocations", "update", listing).exit_code == 0
    assert cli("endorse", "--payload", used, "--port", "Mombasa", "--officer", "A. Officer").exit_code == 0
    statuses = {
        "archive.jsonl": ["VALID", "VALID", "VALID", "VALID", "NO_PERMIT_FOUND", "INPUT_ERROR", "VALID"],
        "scanner.txt": ["VALID", "UNKNOWN_KEY", "MALFORMED", "BAD_SIGNATURE", "EXPIRED", "REVOKED", "ALREADY_USED"],
        "sub/scans/permit.pdf": ["VALID"],
        "sub/scans/photo.png": ["VALID"],
        "sub/seized.csv": ["VALID", "VALID", "VALID", "VALID", "VALID", "REVOKED", "VALID", "VALID"],
    }
    lines = {"archive.jsonl": range(1, 8), "scanner.txt": [1, 2, 4, 5, 6, 7, 8], "sub/seized.csv": range(2, 10)}
    expected = [
        (f"{folder / name}:{line}" if name in lines else str(folder / name), status)
        for name, per_line in statuses.items()
        for line, status in zip(lines.get(name, [0]), per_line, strict=True)
    ]
    return Batch(folder, expected)


def _findings(path: Path, folder: Path) -> set[tuple[str, str, tuple[str, ...]]]:
    with open(path, "rb") as handle:
        rows = [record.row for record in finding_format(path).records(handle)]
    prefix = f"{folder}/"
    return {(row["kind"], row["severity"], tuple(i.removeprefix(prefix) for i in row["inputs"])) for row in rows if row}


EXPECTED_FINDINGS = {
    ("DUPLICATE_NUMBER", "error", ("sub/seized.csv:2", "sub/seized.csv:3")),
    ("REPEATED_PERMIT", "warning", ("archive.jsonl:7", "scanner.txt:1")),
    ("REPEATED_PERMIT", "warning", ("sub/scans/permit.pdf", "sub/scans/photo.png")),
    ("REUSED_STAMP", "error", ("archive.jsonl:1", "archive.jsonl:2")),
    ("DUPLICATE_MARK", "warning", ("archive.jsonl:3", "archive.jsonl:4")),
    ("REEXPORT_OVER_QUANTITY", "error", ("sub/seized.csv:4", "sub/seized.csv:5", "sub/seized.csv:6")),  # origin first
    ("ORIGIN_NOT_VALID", "warning", ("sub/seized.csv:7", "sub/seized.csv:8")),
    ("ORIGIN_NOT_IN_BATCH", "info", ("sub/seized.csv:9",)),
}


def test_mixed_batch_verdicts_and_findings(cli: Cli, tmp_path: Path, batch: Batch) -> None:
    report, page = tmp_path / "out" / "audit.jsonl", tmp_path / "out" / "audit.html"
    result = cli("audit", batch.folder, "--report", report, "--html", page, "--workers", "1", "--quiet")
    assert result.exit_code == 1, result.stderr
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(row["input"], row["status"]) for row in rows] == batch.expected
    pdf_row = rows[14]
    assert pdf_row["page"] == 1 and pdf_row["line"] is None and pdf_row["permit"]["number"] == "KE/2026/ZOO/0001"
    assert rows[13]["use"]["port"] == "Mombasa" and rows[12]["revocation"]["reason"] == "stolen"
    assert set(rows[0]) >= {"input", "file", "line", "page", "payload_sha256", "valid", "status", "reason", "permit"}
    findings = tmp_path / "out" / "audit.findings.jsonl"
    assert _findings(findings, batch.folder) == EXPECTED_FINDINGS
    over = next(json.loads(line) for line in findings.read_text().splitlines() if "OVER" in line)
    assert over["details"] == {
        "cited": {"country": "ZW", "number": "ZW/2026/00871"}, "species": "Crocodylus niloticus", "term": "LPS",
        "unit": "NUM",
        "covered": "24", "reexported": "40",
    }  # fmt: skip
    assert "Audit: 24 row(s), 15 VALID, 9 NOT VALID" in result.stdout
    assert "REEXPORT_OVER_QUANTITY" in result.stdout and "ORIGIN_NOT_IN_BATCH" in result.stdout
    html = page.read_text()
    assert html.count("<svg") == 5 and "Failures by month of issue" in html and "2024-01" in html
    assert "<script" not in html and "src=" not in html and "url(" not in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "What this audit was judged against" in html and "local trust store (development mode)" in html
    assert "(the audit&#x27;s start)" in html
    not_valid = [row for row in rows if not row["valid"]]
    assert "<h2>NOT VALID permits</h2>" in html and all(escape(row["input"]) in html for row in not_valid)
    assert f"{report} (SHA-256 {hashlib.sha256(report.read_bytes()).hexdigest()})" in html


def test_two_workers_give_the_same_report(cli: Cli, tmp_path: Path, batch: Batch) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert cli("audit", batch.folder, "--report", one, "--workers", "1").exit_code == 1
    assert cli("audit", batch.folder, "--report", two, "--workers", "2").exit_code == 1
    assert two.read_bytes() == one.read_bytes()
    assert (tmp_path / "two.findings.jsonl").read_bytes() == (tmp_path / "one.findings.jsonl").read_bytes()


def test_csv_report_and_duplicate_numbers(cli: Cli, tmp_path: Path, batch: Batch) -> None:
    lines, table = tmp_path / "lines.jsonl", tmp_path / "table.csv"
    assert cli("audit", batch.folder, "--report", lines, "--workers", "1").exit_code == 1
    assert cli("audit", batch.folder, "--report", table, "--workers", "1").exit_code == 1
    with open(table, "rb") as handle:
        from_csv = [record.row for record in report_format(table).records(handle)]
    assert from_csv == [json.loads(line) for line in lines.read_text().splitlines()]  # nothing lost in CSV
    assert table.read_text().splitlines()[0] == (
        "input,file,line,page,payload_sha256,source,valid,status,reason,permit,signer,checks,extra"
    )
    assert _findings(tmp_path / "table.findings.csv", batch.folder) == EXPECTED_FINDINGS
    duplicate = next(
        line for line in (tmp_path / "table.findings.csv").read_text().splitlines() if "DUPLICATE_N" in line
    )
    assert duplicate.startswith("DUPLICATE_NUMBER,error,KE permit number KE/12 is on 2 different signed documents,")


def test_exit_codes(cli: Cli, tmp_path: Path, make_authority: MakeAuthority) -> None:
    kenya = make_authority().key
    good = tmp_path / "good.txt"
    good.write_text(seal(zoo("KE/1", "S-1", "CHIP-1"), kenya) + "\n")
    report = tmp_path / "r.jsonl"
    result = cli("audit", good, "--report", report, "--workers", "1")
    assert result.exit_code == 0 and "Cross-permit findings: none" in result.stdout
    assert cli("audit", good, "--report", report).exit_code == 2  # exists, no --resume
    assert cli("audit", good, "--report", report, "--resume").exit_code == 0  # nothing left to do
    assert len(report.read_text().splitlines()) == 1
    two = tmp_path / "two.txt"
    two.write_text(good.read_text() + seal(zoo("KE/2", "S-2", "CHIP-2"), kenya) + "\n")
    assert cli("audit", two, "--report", tmp_path / "two.jsonl").exit_code == 0
    written = (tmp_path / "two.jsonl").read_bytes()
    other = cli("audit", good, "--report", tmp_path / "two.jsonl", "--resume")  # not the interrupted run's inputs
    assert other.exit_code == 2 and "judged against other settings (inputs: [" in other.stderr
    assert (tmp_path / "two.jsonl").read_bytes() == written
    missing = cli("audit", tmp_path / "missing.txt", "--report", tmp_path / "s.jsonl")
    assert missing.exit_code == 2 and missing.stderr == (
        f"error: not found: {tmp_path / 'missing.txt'} (give files or folders of PDFs, images, QR text, JSONL or CSV"
        " to audit)\n"
    )
    assert cli("audit", good, "--report", tmp_path / "r.txt").exit_code == 2
    assert cli("audit", good, "--report", tmp_path / "t.jsonl", "--findings", tmp_path / "f.xml").exit_code == 2
    assert cli("audit", good, "--report", tmp_path / "u.jsonl", "--workers", "0").exit_code == 2
    late = cli("audit", good, "--report", tmp_path / "u.jsonl", "--at", "2026-02-30")
    assert (
        late.exit_code == 2
        and late.stderr == "error: --at: '2026-02-30' is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)\n"
    )
    assert not (tmp_path / "u.jsonl").exists()
    inside = tmp_path / "folder"
    inside.mkdir()
    (inside / "good.txt").write_text(good.read_text())
    for extra in ((), ("--resume",)):  # the report and findings in the audited folder are not inputs
        assert cli("audit", inside, "--report", inside / "audit.jsonl", "--workers", "1", *extra).exit_code == 0
        assert len((inside / "audit.jsonl").read_text().splitlines()) == 1
    (tmp_path / "not-a-report.csv").write_text("a,b\n1,2\n")
    assert cli("audit", good, "--report", tmp_path / "not-a-report.csv", "--resume").exit_code == 2
    archive = tmp_path / "archive.jsonl"
    archive.write_text(json.dumps({"payload": good.read_text().strip()}) + "\n")
    kept = archive.read_text()
    for option in ("--findings", "--html"):  # an output that is an input would be skipped, then overwritten
        result = cli("audit", archive, "--report", tmp_path / "v.jsonl", option, archive)
        assert result.exit_code == 2 and f"{option} {archive} is also an input" in result.stderr
    refused = cli("audit", archive, "--report", tmp_path / "new" / "v.jsonl", "--html", archive)
    assert refused.exit_code == 2 and not (tmp_path / "new").exists()  # a refused audit leaves no folder behind
    result = cli("audit", archive, "--report", tmp_path / "v.jsonl", "--html", tmp_path / "v.jsonl")
    assert result.exit_code == 2 and "--html and --report name the same file" in result.stderr
    assert archive.read_text() == kept and not (tmp_path / "v.jsonl").exists()
    for option, name in (("--html", "forged.txt"), ("--findings", "archive.jsonl")):  # in an audited folder
        (inside / name).write_text("CP1:FORGED\n")
        result = cli("audit", inside, "--report", tmp_path / "x.jsonl", option, inside / name)
        assert result.exit_code == 2 and f"is a file in the audited folder {inside}" in result.stderr
        assert (inside / name).read_text() == "CP1:FORGED\n" and not (tmp_path / "x.jsonl").exists()
        (inside / name).unlink()
    (tmp_path / "empty").mkdir()
    result = cli("audit", tmp_path / "empty", "--report", tmp_path / "w.jsonl")
    assert result.exit_code == 2 and "no inputs to audit in" in result.stderr and not (tmp_path / "w.jsonl").exists()


@pytest.mark.parametrize("column", ["", "   ", "\t"])
def test_an_empty_payload_column_is_a_usage_error(cli: Cli, tmp_path: Path, column: str) -> None:
    """No header or key is named so: every CSV and JSON line would be an input error. Refused before any row."""
    table = tmp_path / "seized.csv"
    table.write_text("payload\nCP1:X\n")
    result = cli("audit", table, "--report", tmp_path / "r.jsonl", "--payload-column", "qr", "--payload-column", column)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "error: --payload-column: an empty column name; give the CSV column or JSON key of the QR text\n"
    )
    assert not list(tmp_path.glob("r.*"))


def test_an_output_that_is_a_folder_is_refused_before_any_row_is_written(
    cli: Cli, tmp_path: Path, make_authority: MakeAuthority
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(seal(zoo("KE/1", "S-1", "CHIP-1"), make_authority().key) + "\n")
    for option, folder in (("--html", tmp_path / "pages"), ("--findings", tmp_path / "found.jsonl")):
        folder.mkdir()  # the folder meant for the file, given as the file
        result = cli("audit", good, "--report", tmp_path / "r.jsonl", option, folder, "--workers", "1")
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr == f"error: {option} {folder}: not a regular file; give the path of a file to write\n"
        assert not list(tmp_path.glob("r.*")) and list(folder.iterdir()) == []  # no report to --resume


P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _other_texts_of(text: str) -> tuple[str, str]:
    """Two other QR texts of one signed permit: its COSE bytes deflated as stored blocks, and its ECDSA
    signature (r, s) written as the equally valid (r, n - s)."""
    cose = zlib.decompress(base45.decode(text[len(PREFIX) :]))
    stored = zlib.compressobj(level=0)
    recompressed = PREFIX + base45.encode(stored.compress(cose) + stored.flush())
    message = cbor2.loads(cose)
    tagged = isinstance(message, cbor2.CBORTag)
    protected, unprotected, payload, signature = message.value if tagged else message
    s = int.from_bytes(signature[32:], "big")
    parts = [protected, unprotected, payload, signature[:32] + (P256_ORDER - s).to_bytes(32, "big")]
    malleated = PREFIX + base45.encode(zlib.compress(cbor2.dumps(cbor2.CBORTag(18, parts) if tagged else parts)))
    return recompressed, malleated


def test_one_permit_in_other_encodings_is_a_repeated_permit(
    cli: Cli, tmp_path: Path, make_authority: MakeAuthority
) -> None:
    text = seal(zoo("KE/1", "S-1", "CHIP-1"), make_authority().key)
    copies = _other_texts_of(text)
    assert len({text, *copies}) == 3
    scanned = tmp_path / "scanned.txt"
    scanned.write_text("\n".join((text, *copies)) + "\n")
    result = cli("audit", scanned, "--report", tmp_path / "r.jsonl", "--workers", "1")
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [row["status"] for row in rows] == ["VALID"] * 3 and len({row["payload_sha256"] for row in rows}) == 3
    assert _findings(tmp_path / "r.findings.jsonl", tmp_path) == {
        ("REPEATED_PERMIT", "warning", ("scanned.txt:1", "scanned.txt:2", "scanned.txt:3"))
    }
    assert result.exit_code == 1


def test_a_file_name_that_is_not_utf8_is_an_input_error_row(
    cli: Cli, tmp_path: Path, make_authority: MakeAuthority
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    text = seal(zoo("KE/1", "S-1", "CHIP-1"), make_authority().key) + "\n"
    (folder / "good.txt").write_text(text)
    latin1 = os.fsdecode(bytes(folder) + b"/caf\xe9.txt")
    Path(latin1).write_text(text)
    result = cli("audit", folder, "--report", tmp_path / "r.jsonl", "--workers", "1")
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_bytes().decode("utf-8").splitlines()]
    assert [(row["input"], row["status"]) for row in rows] == [
        (f"{folder}/caf\\xe9.txt", "INPUT_ERROR"),
        (f"{folder}/good.txt:1", "VALID"),
    ]
    assert "the file name is not UTF-8 text; rename the file" in rows[0]["reason"] and result.exit_code == 1


def test_a_batch_compared_with_the_issuing_register(cli: Cli, tmp_path: Path, make_authority: MakeAuthority) -> None:
    """``--register KE``: a Kenyan permit signed with a trusted key but never registered (a key used outside the
    register), or not the document registered under its number, is an error; a registered permit of the
    batch's period that the batch lacks is named (info). A number is found as ``DUPLICATE_NUMBER`` compares
    numbers, but the document must be the one registered: its number as signed, and its signed contents (the QR
    text the register hashed, or a copy of that document in another encoding)."""
    from permits.ledger import open_ledger
    from permits.ledger.interface import Issued

    kenya, italy = make_authority().key, make_authority("IT", "Ministero").key
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    ledger = open_ledger(ledger_url)
    registered = [zoo("KE/1", "S-1", "C-1"), zoo("KE/2", "S-2", "C-2"), zoo("KE/3", "S-3", "C-3"),
                  zoo("KE/5", "S-5", "C-5"), zoo("KE/6", "S-6", "C-6", issued="2024-01-10"),
                  zoo("KE/7", "S-7", "C-7")]  # fmt: skip
    texts = {permit.number: seal(permit, kenya) for permit in registered}
    for permit in registered:
        digest = hashlib.sha256(texts[permit.number].encode()).hexdigest()
        record = Issued("KE", permit.number, permit.security_stamp, permit.issued, kenya.kid.hex(), digest)
        with ledger.register(record, "test"):
            pass
    batch = tmp_path / "batch.txt"
    forged = [zoo("ke-2", "S-2", "C-2"), zoo("KE/3", "S-99", "C-3"), zoo("KE/4", "S-4", "C-4"),
              zoo("KE/7", "S-7", "C-77")]  # fmt: skip
    lines = [texts["KE/1"], _other_texts_of(texts["KE/1"])[0], *(seal(permit, kenya) for permit in forged)]
    batch.write_text("".join(line + "\n" for line in lines) + seal(zoo("IT/1", "I-1", "C-9"), italy))
    report = tmp_path / "r.jsonl"
    result = cli("audit", batch, "--report", report, "--db", ledger_url, "--register", "ke", "--workers", "1")
    assert result.exit_code == 1
    findings = [json.loads(line) for line in (tmp_path / "r.findings.jsonl").read_text().splitlines()]
    assert [(finding["kind"], finding["inputs"]) for finding in findings] == [
        ("REPEATED_PERMIT", [f"{batch}:1", f"{batch}:2"]),  # KE/1 in two encodings: the registered document
        ("NOT_REGISTERED", [f"{batch}:5"]),
        ("REGISTER_MISMATCH", [f"{batch}:3"]),
        ("REGISTER_MISMATCH", [f"{batch}:4"]),
        ("REGISTER_MISMATCH", [f"{batch}:6"]),
        ("REGISTERED_NOT_IN_BATCH", []),
    ]
    assert [finding["details"]["differences"] for finding in findings[2:5]] == [
        ["number", "signed contents"],
        ["security stamp", "signed contents"],
        ["signed contents"],
    ]
    assert "security stamp S-99 (registered: S-3)" in findings[3]["message"]
    assert findings[5]["details"]["number"] == "KE/5"  # KE/6 was issued before the batch's first permit
    assert json.loads((tmp_path / "r.run.json").read_text())["register"] == ["KE"]
    unregistered = cli("audit", batch, "--report", tmp_path / "s.jsonl", "--register", "KE")
    assert unregistered.exit_code == 2 and "--register: no ledger holds an issuing register" in unregistered.stderr
    wrong = cli("audit", batch, "--report", tmp_path / "t.jsonl", "--db", ledger_url, "--register", "K1")
    assert wrong.exit_code == 2 and "--register: 'K1' is not an ISO 3166-1 alpha-2 country code" in wrong.stderr
