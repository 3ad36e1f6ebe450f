"""The ledger from the command line: endorse then verify, the issuing register in ``cites issue``, the audit
trail of issue, endorse and revoke, and offline posts exchanging signed exports with each other and a centre
(SQLite or PostgreSQL)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from keys.revocation.register import Register
from permits.codes import DocumentType
from permits.envelope import seal
from permits.errors import LedgerError
from permits.issuing import issue
from permits.ledger import open_ledger
from permits.ledger.interface import Issued
from permits.registry.default import load_registry
from tests.conftest import EXAMPLES, PASSPHRASE, CliResult, MakeAuthority, example_permit

Cli = Callable[..., CliResult]
NUMBER = "KE/2026/ZOO/0001"


def _post_key(cli: Cli, folder: Path, party: str = "KE") -> tuple[Path, Path]:
    assert cli("keys", "new", "--party", party, "--authority", f"post {folder.name}", "--out", folder).exit_code == 0
    return next(folder.glob("*.key.pem")), next(folder.glob("*.cert.pem"))


def _issued_permit(cli: Cli, tmp_path: Path) -> str:
    key, certificate = _post_key(cli, tmp_path / "ma")
    assert cli("trust", "add", certificate, "--party", "KE").exit_code == 0
    result = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    return (tmp_path / "out" / "KE-2026-ZOO-0001.txt").read_text().strip()


def test_endorse_then_verify_says_already_used(
    cli: Cli, cites_home: Path, make_authority: MakeAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITES_POST", "mombasa-post")
    text = seal(example_permit(), make_authority().key)
    fresh = cli("verify", "--json", "--payload", text)
    assert fresh.exit_code == 0 and "ledger" not in {check["id"] for check in json.loads(fresh.stdout)["checks"]}
    assert not (cites_home / "ledger.sqlite").exists()  # verifying never creates a ledger

    first = cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A. Otieno", "--quantity", "1=1")
    assert first.exit_code == 0, first.stderr
    assert f"endorsed KE {NUMBER} at Mombasa on " in first.stdout and "line 1: 1 NUM" in first.stdout

    verdict = json.loads(cli("verify", "--json", "--payload", text).stdout)
    assert verdict["status"] == "ALREADY_USED" and verdict["checks"][-1]["id"] == "ledger"
    assert verdict["reason"].startswith("already used at Mombasa on ")
    assert verdict["reason"].endswith(" UTC (officer A. Otieno, post mombasa-post)")
    assert verdict["use"]["officer"] == "A. Otieno" and verdict["use"]["quantities"] == {"1": "1"}

    again = cli("endorse", "--payload", text, "--port", "Namanga", "--officer", "B")
    assert (
        again.exit_code == 1
        and "refused: the permit is NOT VALID (ALREADY_USED): already used at Mombasa" in again.stderr
    )
    as_json = cli("endorse", "--json", "--payload", text, "--port", "Namanga", "--officer", "B")
    outcome = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and (outcome["endorsed"], outcome["status"]) == (False, "ALREADY_USED")
    assert outcome["use"]["port"] == "Mombasa"


def test_verify_and_scan_consult_the_ledger_named_by_db(
    cli: Cli, cites_home: Path, make_authority: MakeAuthority, tmp_path: Path
) -> None:
    text = seal(example_permit(), make_authority().key)
    central = f"sqlite:///{tmp_path / 'central.sqlite'}"
    created = cli("ledger", "init", "--db", central)
    assert created.exit_code == 0 and created.stdout == f"ledger ready: {central}\n"
    assert cli("endorse", "--db", central, "--payload", text, "--port", "Mombasa", "--officer", "A").exit_code == 0
    assert not (cites_home / "ledger.sqlite").exists()

    assert cli("verify", "--json", "--payload", text).exit_code == 0  # this post's own (absent) ledger
    used = cli("verify", "--json", "--db", central, "--payload", text)
    assert used.exit_code == 1 and json.loads(used.stdout)["status"] == "ALREADY_USED"
    scanned = cli("scan", "--db", central, stdin=text + "\n")
    assert scanned.exit_code == 0 and "NOT VALID" in scanned.stdout and "already used at Mombasa" in scanned.stdout


BAD_QUANTITIES = [
    ("1=3", 1, "more than the 2 NUM", "QUANTITY_EXCEEDED"),
    ("2=1", 2, "lines 1 to 1", None),
    ("x", 2, "expected LINE=QUANTITY", None),
    ("1=0.0000001", 2, "up to 6 decimals", None),
]


@pytest.mark.parametrize(("quantity", "code", "message", "status"), BAD_QUANTITIES)
def test_endorse_refuses_bad_quantities(
    cli: Cli, make_authority: MakeAuthority, quantity: str, code: int, message: str, status: str | None
) -> None:
    text = seal(example_permit(), make_authority().key)
    result = cli("endorse", "--json", "--payload", text, "--port", "Mombasa", "--officer", "A", "--quantity", quantity)
    assert result.exit_code == code and message in (result.stdout + result.stderr)
    if status:
        assert json.loads(result.stdout)["status"] == status
    endorsed = cli("endorse", "--json", "--payload", text, "--port", "Mombasa", "--officer", "A")
    assert endorsed.exit_code == 0 and json.loads(endorsed.stdout)["use"]["quantities"] == {"1": "2"}


def test_endorse_reads_a_file_as_verify_does_whatever_its_suffix(cli: Cli, tmp_path: Path) -> None:
    text = _issued_permit(cli, tmp_path)
    renamed = tmp_path / "permit-from-email.txt"  # the printed PDF, saved under a text file's name
    renamed.write_bytes((tmp_path / "out" / "KE-2026-ZOO-0001.pdf").read_bytes())
    assert json.loads(cli("verify", "--json", renamed).stdout)["status"] == "VALID"
    endorsed = cli("endorse", renamed, "--port", "Mombasa", "--officer", "A", "--json")
    assert endorsed.exit_code == 0 and json.loads(endorsed.stdout)["status"] == "ENDORSED", endorsed
    log = tmp_path / "scanner.log"  # two lines: one of them is no QR text at all
    log.write_text(f"{text}\nhello\n")
    result = cli("endorse", log, "--port", "Mombasa", "--officer", "A")
    assert result.stderr == f"error: {log}: holds 2 QR text lines; endorse exactly one (use --payload)\n"
    binary = tmp_path / "dump.txt"  # no text file at all: refused as verify refuses it, not read as 0 lines
    binary.write_bytes(b"\0\x01\x02" * 10)
    assert f"INPUT ERROR   {binary}: not a text file (binary content)" in cli("verify", binary).stdout
    refused = cli("endorse", binary, "--port", "Mombasa", "--officer", "A")
    assert refused.exit_code == 2 and refused.stderr == f"error: {binary}: not a text file (binary content)\n"


def test_issue_refuses_a_second_permit_with_the_same_number(cli: Cli, tmp_path: Path) -> None:
    _issued_permit(cli, tmp_path)
    key = next((tmp_path / "ma").glob("*.key.pem"))
    result = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "again")
    assert result.exit_code == 2
    assert f"KE already issued permit number {NUMBER}" in result.stderr
    assert not (tmp_path / "again").exists() or not list((tmp_path / "again").iterdir())
    retyped = tmp_path / "retyped.yaml"  # the number in other case and separators, and another stamp
    text = (EXAMPLES / "zoo-transfer-app1.yaml").read_text()
    retyped.write_text(text.replace(NUMBER, "ke-2026-zoo-0001").replace("KE-SS-0041887", "KE-SS-0041888"))
    result = cli("issue", retyped, "--key", key, "--out", tmp_path / "retyped")
    assert result.exit_code == 2 and "(this one is written ke-2026-zoo-0001)" in result.stderr
    for number, stamp, refusal in (  # without leading zeros: the number, then the stamp, as the audit compares
        ("KE/2026/ZOO/1", "KE-SS-0041888", "(this one is written KE/2026/ZOO/1)"),
        ("KE/2026/ZOO/0002", "KE-SS-41887", f"already used on KE permit {NUMBER} (as KE-SS-0041887)"),
    ):
        retyped.write_text(text.replace(NUMBER, number).replace("KE-SS-0041887", stamp))
        result = cli("issue", retyped, "--key", key, "--out", tmp_path / "unpadded")
        assert result.exit_code == 2 and refusal in result.stderr, result.stderr


def test_issue_endorse_and_revoke_are_in_the_audit_trail(cli: Cli, tmp_path: Path) -> None:
    _issued_permit(cli, tmp_path)
    text_file = tmp_path / "out" / "KE-2026-ZOO-0001.txt"  # the QR text file issue writes
    assert cli("endorse", text_file, "--port", "Mombasa", "--officer", "A").exit_code == 0
    key = next((tmp_path / "ma").glob("*.key.pem"))
    revoked = cli("revoke", NUMBER, "--reason", "stolen", "--key", key)
    assert revoked.exit_code == 0 and "warning" not in revoked.stderr
    check = cli("ledger", "check")
    assert check.exit_code == 0 and "audit trail intact: 3 entries, head " in check.stdout
    shown = json.loads(cli("ledger", "show", "ke", NUMBER, "--json").stdout)  # the Party in any case
    assert [event["action"] for event in shown["events"]] == ["issue", "endorse", "revoke"]
    assert shown["issued"]["number"] == NUMBER and shown["use"]["port"] == "Mombasa" and shown["alerts"] == []
    assert "#2 " in cli("ledger", "show", "--last", "2").stdout
    typo = cli("ledger", "show", "KX", NUMBER)  # a Party code mistyped is named, not "not in the register"
    assert typo.exit_code == 2 and typo.stderr == "error: PARTY: 'KX' is not an ISO 3166-1 alpha-2 country code\n"


TRAIL_FAILURES = {
    # the audit-trail entry cannot be written: the insert is refused
    "insert": ["CREATE TRIGGER refuse_trail BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'trail refused'); END"],
    # the entry is written, but its transaction cannot commit: a deferred foreign key is broken at COMMIT
    "commit": [
        "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
        "CREATE TABLE orphan (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
        "CREATE TRIGGER orphan_trail AFTER INSERT ON events BEGIN INSERT INTO orphan VALUES (1); END",
    ],
}


@pytest.mark.parametrize("failure", sorted(TRAIL_FAILURES))
def test_a_revocation_whose_audit_entry_fails_is_not_recorded(
    cli: Cli, cites_home: Path, tmp_path: Path, failure: str
) -> None:
    """The register and the audit trail hold a revocation both or neither (fail closed): a trail entry that
    cannot be written, or whose transaction cannot commit, leaves the register file as it was."""
    _issued_permit(cli, tmp_path)
    key = next((tmp_path / "ma").glob("*.key.pem"))
    assert cli("revoke", "KE/2026/OTHER/1", "--reason", "lost", "--key", key).exit_code == 0  # a register on file
    register_file = cites_home / "revocation" / "issued" / "KE.json"
    before = register_file.read_bytes()
    with contextlib.closing(sqlite3.connect(cites_home / "ledger.sqlite")) as database:
        for statement in TRAIL_FAILURES[failure]:
            database.execute(statement)
        database.commit()
    refused = cli("revoke", NUMBER, "--reason", "stolen", "--key", key)
    assert refused.exit_code == 2 and refused.stdout == "" and refused.stderr.count("\n") == 1, refused.stderr
    assert refused.stderr.startswith(f"error: ledger sqlite:///{cites_home / 'ledger.sqlite'}: ")
    assert register_file.read_bytes() == before and [e.number for e in Register.load("KE").entries] == [
        "KE/2026/OTHER/1"
    ]
    shown = json.loads(cli("ledger", "show", "KE", NUMBER, "--json").stdout)
    assert [event["action"] for event in shown["events"]] == ["issue"]
    with contextlib.closing(sqlite3.connect(cites_home / "ledger.sqlite")) as database:
        database.execute("DROP TRIGGER " + ("refuse_trail" if failure == "insert" else "orphan_trail"))
        database.commit()
    assert cli("revoke", NUMBER, "--reason", "stolen", "--key", key).exit_code == 0  # nothing half-done to undo
    assert cli("ledger", "check").exit_code == 0


def test_revoking_a_number_the_register_does_not_hold_warns(cli: Cli, tmp_path: Path) -> None:
    _issued_permit(cli, tmp_path)
    key = next((tmp_path / "ma").glob("*.key.pem"))
    typo = cli("revoke", "KE/2026/ZOO/0010", "--reason", "lost", "--key", key)
    assert typo.exit_code == 0 and "revoked KE permit KE/2026/ZOO/0010" in typo.stdout
    assert "warning: KE permit KE/2026/ZOO/0010 is not in this ledger's issuing register" in typo.stderr


def test_revoking_a_number_written_otherwise_revokes_it_as_registered(cli: Cli, tmp_path: Path) -> None:
    _issued_permit(cli, tmp_path)
    key = next((tmp_path / "ma").glob("*.key.pem"))
    revoked = cli("revoke", "ke-2026-zoo-0001", "--reason", "lost", "--key", key)
    assert revoked.exit_code == 0 and revoked.stderr == "", revoked.stderr
    assert f"ke-2026-zoo-0001 is KE permit {NUMBER} in the issuing register: revoked as registered" in revoked.stdout
    assert f"revoked KE permit {NUMBER} on " in revoked.stdout  # the revocation list hashes the number as signed
    assert [entry.number for entry in Register.load("KE").entries] == [NUMBER]
    again = cli("revoke", "KE 2026 ZOO 0001", "--reason", "lost", "--key", key)
    assert again.exit_code == 2 and f"permit {NUMBER} was already revoked" in again.stderr
    shown = cli("ledger", "show", "KE", "ke 2026 zoo 0001")
    assert shown.stdout.startswith(f"KE {NUMBER} (given as ke 2026 zoo 0001)\n")
    as_json = json.loads(cli("ledger", "show", "KE", "ke 2026 zoo 0001", "--json").stdout)
    assert as_json["number"] == NUMBER and [event["action"] for event in as_json["events"]] == ["issue", "revoke"]


def test_a_revocation_dated_before_the_registered_issue_date_is_refused(cli: Cli, tmp_path: Path) -> None:
    _issued_permit(cli, tmp_path)
    key = next((tmp_path / "ma").glob("*.key.pem"))
    issued_on = json.loads(cli("ledger", "show", "KE", NUMBER, "--json").stdout)["issued"]["issued_on"]
    early = cli("revoke", NUMBER, "--reason", "lost", "--key", key, "--date", "2020-01-01")
    assert early.exit_code == 2 and early.stdout == ""
    assert early.stderr == f"error: --date: 2020-01-01 is before KE permit {NUMBER} was issued ({issued_on})\n"
    assert Register.load("KE").entries == []  # nothing recorded: the permit can still be revoked on a real date
    assert cli("revoke", NUMBER, "--reason", "lost", "--key", key).exit_code == 0


def test_writing_commands_do_not_create_a_ledger_named_with_db(cli: Cli, cites_home: Path, tmp_path: Path) -> None:
    """A mistyped --db would be a new, empty ledger: no use, no issued number there, so a second use or a second
    number passes. Issue, endorse, revoke and import refuse it (nothing written); ``ledger init`` creates it;
    the post's own ledger is still created on first use."""
    text = _issued_permit(cli, tmp_path)  # into the post's own ledger, created by this first issue
    assert (cites_home / "ledger.sqlite").exists()
    key = next((tmp_path / "ma").glob("*.key.pem"))
    post_key, post_certificate = _post_key(cli, tmp_path / "post")
    export = tmp_path / "export.json"
    assert cli("ledger", "export", "--since", "2020-01-01", "--key", post_key, "--out", export).exit_code == 0
    typo = f"sqlite:///{tmp_path / 'typo.sqlite'}"
    writing: tuple[tuple[str | Path, ...], ...] = (
        ("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "again"),
        ("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A"),
        ("revoke", NUMBER, "--reason", "lost", "--key", key),
        ("ledger", "import", export, "--from-key", post_certificate),
    )
    for command in writing:
        refused = cli(*command, "--db", typo)
        assert refused.exit_code == 2 and refused.stdout == "", command
        assert refused.stderr == (
            f"error: no ledger at {tmp_path / 'typo.sqlite'}: nothing was issued, endorsed or imported there yet; a "
            "ledger named with --db or CITES_DB_URL is not created by this command (a mistyped name would be a new, "
            "empty ledger): check the name, or create it with 'cites ledger init'\n"
        ), command
    assert not (tmp_path / "typo.sqlite").exists() and not (tmp_path / "again").exists()
    assert cli("ledger", "init", "--db", typo).stdout == f"ledger ready: {typo}\n"
    assert cli("ledger", "init", "--db", typo).exit_code == 0  # again: nothing changes
    assert cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A", "--db", typo).exit_code == 0


def test_reading_commands_do_not_create_a_ledger(cli: Cli, cites_home: Path, tmp_path: Path) -> None:
    reading: tuple[tuple[str, ...], ...] = (
        ("check",),
        ("alerts",),
        ("show",),
        ("export", "--since", "2026-01-01", "--key", "k", "--out", "x"),
    )
    for arguments in reading:
        result = cli("ledger", *arguments)
        assert result.exit_code == 2 and f"no ledger at {cites_home / 'ledger.sqlite'}" in result.stderr, arguments
    typo = f"sqlite:///{tmp_path / 'typo.sqlite'}"
    (tmp_path / "permit.txt").write_text("CP1:X\n")
    checks: tuple[tuple[str | Path, ...], ...] = (("ledger", "check"), ("verify", tmp_path / "permit.txt"), ("scan",))
    for command in checks:
        elsewhere = cli(*command, "--db", typo)  # an empty new ledger would call a used permit VALID
        assert elsewhere.exit_code == 2 and f"no ledger at {tmp_path / 'typo.sqlite'}" in elsewhere.stderr
    audited = cli("audit", tmp_path / "permit.txt", "--report", tmp_path / "r.jsonl", "--db", typo, "--workers", "2")
    assert audited.exit_code == 2 and "no ledger at" in audited.stderr and not (tmp_path / "r.jsonl").exists()
    assert not list(cites_home.glob("ledger.sqlite*")) and not (tmp_path / "typo.sqlite").exists()
    memory = cli("endorse", "--payload", "CP1:X", "--port", "P", "--officer", "O", "--db", "sqlite://")
    assert memory.exit_code == 2 and "in-memory SQLite ledger would forget every use" in memory.stderr
    folder = cli("ledger", "check", "--db", f"sqlite:///{tmp_path}")  # the folder, not the ledger file in it
    assert folder.exit_code == 2 and f"no ledger at {tmp_path}: it is a folder; name the ledger file" in folder.stderr


def test_every_command_names_a_db_folder_as_a_folder(
    cli: Cli, cites_home: Path, tmp_path: Path, make_authority: MakeAuthority
) -> None:
    """``--db sqlite:///FOLDER`` (with or without the closing slash, the folder there or not) is refused by
    ``open_ledger`` for every command alike, creating or only reading, with the folder named."""
    key = make_authority().files.private
    post_key, post_certificate = _post_key(cli, tmp_path / "post")
    (tmp_path / "permit.txt").write_text("CP1:X\n")
    export = tmp_path / "export.json"
    commands: tuple[tuple[str | Path, ...], ...] = (
        ("endorse", "--payload", "CP1:X", "--port", "P", "--officer", "O"),
        ("verify", tmp_path / "permit.txt"),
        ("scan",),
        ("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "out"),
        ("revoke", NUMBER, "--reason", "lost", "--key", key),
        ("ledger", "export", "--since", "2026-01-01", "--key", post_key, "--out", export),
        ("ledger", "import", export, "--from-key", post_certificate),
        ("ledger", "check"),
        ("ledger", "show"),
        ("ledger", "alerts"),
        ("audit", tmp_path / "permit.txt", "--report", tmp_path / "r.jsonl", "--workers", "1"),
    )
    post_ledger = f"sqlite:///{tmp_path / 'post.sqlite'}"
    open_ledger(post_ledger)  # a real export, so that the import reaches the ledger
    exported = cli("ledger", "export", "--since", "2026-01-01", "--key", post_key, "--out", export, "--db", post_ledger)
    assert exported.exit_code == 0, exported.stderr
    folder = tmp_path / "posts"
    folder.mkdir()
    for url, shown in ((f"sqlite:///{folder}", folder), (f"sqlite:///{folder}/", folder),
                       (f"sqlite:///{tmp_path}/new/", tmp_path / "new")):  # fmt: skip
        for command in commands:
            result = cli(*command, "--db", url)
            assert result.exit_code == 2, (command, url, result.stdout, result.stderr)
            assert result.stderr == (
                f"error: no ledger at {shown}: it is a folder; name the ledger file in it (sqlite:///FOLDER/"
                "ledger.sqlite) (give --db or set CITES_DB_URL to use another ledger)\n"
            ), (command, url)
    assert list(folder.iterdir()) == [] and not (tmp_path / "new").exists() and not (tmp_path / "out").exists()
    assert Register.load("KE").entries == [] and not list(cites_home.glob("ledger.sqlite*"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u@host:notaport/db", "the ledger URL is not a database URL"),
        ("postgresql://[::1/db", "the ledger URL is not a database URL"),
        ("not a url", "the ledger URL is not a database URL"),
        ("mysql://host/db", "is neither sqlite:///FILE nor postgresql://"),
        ("sqlite:///x.db?mode=ro", "a SQLite ledger URL takes no options (mode)"),
        ("sqlite://", "an in-memory SQLite ledger would forget every use"),
    ],
)
def test_bad_ledger_urls_are_one_line_errors(cli: Cli, tmp_path: Path, url: str, message: str) -> None:
    (tmp_path / "permit.txt").write_text("CP1:X\n")
    result = cli("verify", tmp_path / "permit.txt", "--db", url)
    assert result.exit_code == 2 and result.stderr == f"error: {result.stderr[7:]}" and message in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "x.db").exists()


def test_endorse_json_reports_an_unreadable_permit_as_json(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "blank.png").write_bytes(b"not an image")
    result = cli("endorse", tmp_path / "blank.png", "--port", "Mombasa", "--officer", "A", "--json")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    shown = json.loads(result.stdout)
    assert (shown["endorsed"], shown["status"], shown["use"]) == (False, "INPUT_ERROR", None)
    assert str(tmp_path / "blank.png") in shown["reason"]


def test_posts_exchange_exports_with_a_centre(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_post: Callable[[str], str], ledger_url: str
) -> None:
    post_a, post_b, centre = sqlite_post("post-a"), sqlite_post("post-b"), ledger_url
    assert cli("ledger", "init", "--db", centre).exit_code == 0  # the centre's ledger, named: created on purpose
    text = _issued_permit(cli, tmp_path)
    exports = {}
    for name, post, port in (("a", post_a, "Mombasa"), ("b", post_b, "Namanga")):  # B is offline: lets it through
        key, certificate = _post_key(cli, tmp_path / f"post-{name}")
        monkeypatch.setenv("CITES_POST", f"post-{name}")
        assert cli("endorse", "--payload", text, "--port", port, "--officer", name, "--db", post).exit_code == 0
        out = tmp_path / f"{name}.json"
        assert cli("ledger", "export", "--since", "2020-01-01", "--key", key, "--out", out, "--db", post).exit_code == 0
        exports[name] = (out, certificate)
    (export_a, cert_a), (export_b, cert_b) = exports["a"], exports["b"]

    first = cli("ledger", "import", export_a, "--from-key", cert_a, "--db", centre)
    assert first.exit_code == 0 and "uses 1 new, 0 known" in first.stdout and "audit entries 1 new" in first.stdout
    again = cli("ledger", "import", export_a, "--from-key", cert_a, "--db", centre)
    assert (
        again.exit_code == 0
        and "uses 0 new, 1 known" in again.stdout
        and "audit entries 0 new, 1 known" in again.stdout
    )

    double = cli("ledger", "import", export_b, "--from-key", cert_b, "--db", centre)
    assert double.exit_code == 1 and f"ALERT: DOUBLE USE of KE {NUMBER}: at Mombasa" in double.stderr
    assert "at Namanga" in double.stderr
    assert cli("ledger", "import", export_b, "--from-key", cert_b, "--db", centre).exit_code == 1
    alerts = cli("ledger", "alerts", "--json", "--db", centre)
    assert alerts.exit_code == 1 and [json.loads(line)["second"]["port"] for line in alerts.stdout.splitlines()] == [
        "Namanga"
    ]  # stored once however often imported
    assert cli("ledger", "import", export_b, "--from-key", cert_b, "--db", post_a).exit_code == 1  # post to post

    monkeypatch.setenv("CITES_DB_URL", centre)  # the centre's verdict names the first use
    assert json.loads(cli("verify", "--json", "--payload", text).stdout)["use"]["port"] == "Mombasa"
    assert cli("ledger", "check", "--db", centre).exit_code == 0

    tampered = tmp_path / "tampered.json"
    tampered.write_text(export_a.read_text().replace("Mombasa", "Malaba"))
    refused = cli("ledger", "import", tampered, "--from-key", cert_a, "--db", centre)
    assert refused.exit_code == 2 and "1 does not verify: the content changed after signing" in refused.stderr
    wrong_key = cli("ledger", "import", export_a, "--from-key", cert_b, "--db", centre)
    assert wrong_key.exit_code == 2 and "not the pinned post key" in wrong_key.stderr

    with sqlite3.connect(post_b.removeprefix("sqlite:///")) as database:  # someone edits post B's audit trail
        database.execute("UPDATE events SET actor = 'nobody' WHERE seq = 1")
    broken = cli("ledger", "check", "--db", post_b)
    assert broken.exit_code == 1 and "BROKEN at entry 1: entry 1 was altered after it was written" in broken.stderr
    key_b = next((tmp_path / "post-b").glob("*.key.pem"))
    assert (
        cli("ledger", "export", "--since", "2020-01-01", "--key", key_b, "--out", export_b, "--db", post_b).exit_code
        == 0
    )
    signed_but_broken = cli("ledger", "import", export_b, "--from-key", cert_b, "--db", centre)
    assert signed_but_broken.exit_code == 2 and "audit trail in the export is broken" in signed_but_broken.stderr
    assert len(cli("ledger", "alerts", "--json", "--db", centre).stdout.splitlines()) == 1  # nothing merged


class CommitFails:
    """An issuing register whose commit fails after the files were written (the server went away)."""

    @contextmanager
    def register(self, record: Issued, actor: str) -> Iterator[None]:
        yield
        raise LedgerError("ledger: the connection was lost at commit")


def test_issue_removes_its_files_when_the_register_commit_fails(make_authority: MakeAuthority, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(LedgerError):
        issue(example_permit(), make_authority().key, out, load_registry(), CommitFails())
    assert not out.exists() or list(out.iterdir()) == []


def test_import_warns_about_entries_of_a_posts_trail_it_does_not_hold(
    cli: Cli, tmp_path: Path, sqlite_post: Callable[[str], str]
) -> None:
    from keys.keyfile import load_signing_key
    from permits.ledger import open_ledger
    from permits.ledger.exchange import write_export
    from permits.ledger.interface import Records

    key, certificate = _post_key(cli, tmp_path / "post-x")
    post = open_ledger(sqlite_post("post-x"))
    for index in range(4):
        post.record_event("B", "revoke", f"KE KE/{index}", {})
    events = post.records_since(dt.date(2020, 1, 1)).events
    signing_key = load_signing_key(key, lambda _: PASSPHRASE.encode())
    for name, stretch in (("first", events[:1]), ("later", events[3:])):
        write_export(tmp_path / f"{name}.json", "post-x", signing_key, dt.date(2020, 1, 1), Records(events=stretch))
    centre = sqlite_post("centre")
    assert cli("ledger", "import", tmp_path / "first.json", "--from-key", certificate, "--db", centre).exit_code == 0
    result = cli("ledger", "import", tmp_path / "later.json", "--from-key", certificate, "--db", centre)
    assert result.exit_code == 0 and result.stderr.startswith("warning: entries 2-3 of that post's audit trail")


def _export_signed_by(path: Path, post: Any, uses: list[dict[str, Any]]) -> None:
    """An export correctly signed by a post's key, holding whatever uses that post chose to write."""
    from keys.signed import Header, encode_public_key, today_utc, unsigned
    from permits.ledger.exchange import EXPORT_TYPE

    today = today_utc()
    signed = {
        **Header(EXPORT_TYPE, 1, today, today + dt.timedelta(days=30)).to_json(),
        "post": "post-x",
        "signer": {"alg": post.key.algorithm.value, "public_key": encode_public_key(post.key.private_key.public_key())},
        "since": "2020-01-01",
        "uses": uses,
        "registered": [],
        "events": [],
    }
    unsigned(signed, str(path)).add_signature(post.key).write(path)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"endorsed_at": "0001-01-01T00:00:00+01:00"}, "endorsed_at: out of range"),
        ({"quantities": {"1": "1E+999999999999999999"}}, "expected a line number and a plain decimal text"),
        ({"quantities": {"1": "2", "100": "1"}}, "expected a line from 1 to 50"),
        ({"officer": "A\x1b]8;;https://evil.example\x07"}, "officer: holds U+001B, a control"),
        ({"port": "Mombasa\nALERT: none"}, "port: holds U+000A"),
        ({"post": ""}, "post: must be 1 to 200 characters"),
    ],
)
def test_import_refuses_a_signed_export_with_an_impossible_use(
    cli: Cli, make_authority: MakeAuthority, tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    post = make_authority(trusted=False)
    export = tmp_path / "x.json"
    use = {"party": "KE", "number": "KE/1", "port": "Mombasa", "officer": "A",
           "endorsed_at": "2026-11-28T10:00:00+00:00", "post": "post-x", "quantities": {"1": "2"}}  # fmt: skip
    _export_signed_by(export, post, [{**use, **change}])
    result = cli("ledger", "import", export, "--from-key", post.files.certificate, "--db", f"sqlite:///{tmp_path}/c.db")
    assert result.exit_code == 2 and result.stderr.startswith("error: ") and problem in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_import_permit_is_not_endorsed_as_the_export_document(cli: Cli, make_authority: MakeAuthority) -> None:
    """Box 14 endorses the export: an importing Party's import permit (for Appendix II specimens, which need
    none under CITES) must not stand in for the exporting Party's permit."""
    zoo = example_permit()
    import_permit = dataclasses.replace(
        zoo, document_type=DocumentType.IMPORT, authority=dataclasses.replace(zoo.authority, name="BfN", country="DE")
    )
    text = seal(import_permit, make_authority(party="DE").key)
    assert json.loads(cli("verify", "--json", "--payload", text).stdout)["valid"]
    result = cli("endorse", "--json", "--payload", text, "--port", "Mombasa", "--officer", "A")
    assert result.exit_code == 1 and json.loads(result.stdout)["status"] == "NOT_AN_EXPORT_DOCUMENT"


def test_ledger_show_escapes_what_an_imported_entry_could_hold(cli: Cli, cites_home: Path) -> None:
    """Audit-trail entries came partly from other posts' exports: a line break, a terminal escape sequence or a
    bidirectional override in one is shown escaped, never sent to the terminal as is."""
    from permits.ledger import open_ledger

    open_ledger().record_event("A\x1b]0;owned\x07\u202e", "revoke", "KE KE/1", {"note": "x\nALERT: none"})
    shown = cli("ledger", "show")
    assert shown.exit_code == 0 and shown.stdout.count("\n") == 1
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    assert "by A\\x1b]0;owned\\x07\\u202e:" in shown.stdout


def test_a_stored_use_an_earlier_import_accepted_stays_readable(cli: Cli, cites_home: Path, tmp_path: Path) -> None:
    """Only another post's export is held to endorse's one-line rule: a row already in the ledger (imported by an
    earlier version, with spaces around its port) is still read, and shown escaped, not 'unreadable'."""
    text = _issued_permit(cli, tmp_path)
    assert cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A").exit_code == 0
    with sqlite3.connect(cites_home / "ledger.sqlite") as database:
        database.execute("UPDATE uses SET port = ?", ("Mombasa  Port\u00a0\n",))
    shown = cli("ledger", "show", "KE", NUMBER)
    assert shown.exit_code == 0 and "use: at Mombasa  Port\u00a0\\x0a" in shown.stdout
    assert cli("verify", "--payload", text).exit_code == 1  # ALREADY_USED, not a ledger error
