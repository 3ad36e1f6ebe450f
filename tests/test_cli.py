"""The command line end to end: keys, trust, issue, verify; exit codes; nothing half-written on bad input."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, PASSPHRASE, REPO_ROOT, CliResult

Cli = Callable[..., CliResult]


def _new_key(cli: Cli, out: Path, party: str = "KE", trust: bool = True) -> Path:
    result = cli("keys", "new", "--party", party, "--authority", f"{party} Management Authority", "--out", out)
    assert result.exit_code == 0, result.stderr
    private = next(out.glob(f"{party}-*.key.pem"))
    if trust:
        certificate = Path(str(private).replace(".key.pem", ".cert.pem"))
        assert cli("trust", "add", certificate, "--party", party).exit_code == 0
    return private


def test_keys_new_writes_an_encrypted_private_key_with_mode_0600(cli: Cli, tmp_path: Path) -> None:
    result = cli("keys", "new", "--party", "ke", "--authority", "Kenya Wildlife Service", "--out", tmp_path)
    assert result.exit_code == 0
    private = next(tmp_path.glob("KE-*.key.pem"))
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in private.read_bytes()
    assert PASSPHRASE not in result.stdout + result.stderr
    kid = result.stdout.split()[1]
    assert private.name == f"KE-{kid}.key.pem"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--party", "XX", "--authority", "A"], "--party: 'XX' is not an ISO 3166-1 alpha-2 country code"),
        (["--party", "KE", "--authority", "A", "--alg", "RS256"], "--alg: 'RS256' is not a supported algorithm"),
    ],
)
def test_keys_new_refuses_bad_arguments(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    result = cli("keys", "new", *args, "--out", tmp_path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not list(tmp_path.iterdir())


def test_wrong_passphrase_is_an_input_error(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _new_key(cli, tmp_path / "keys")
    monkeypatch.setenv("CITES_KEY_PASSPHRASE", "not-the-passphrase")
    result = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "cannot decrypt the private key" in result.stderr
    assert not (tmp_path / "out").exists()


def test_issue_then_verify_pdf_png_and_text(cli: Cli, tmp_path: Path) -> None:
    key = _new_key(cli, tmp_path / "keys")
    out = tmp_path / "out"
    result = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == [
        "KE-2026-ZOO-0001.pdf",
        "KE-2026-ZOO-0001.png",
        "KE-2026-ZOO-0001.txt",
    ]
    text = (out / "KE-2026-ZOO-0001.txt").read_text()
    for source in ("KE-2026-ZOO-0001.pdf", "KE-2026-ZOO-0001.png"):
        verified = cli("verify", "--json", out / source)
        assert verified.exit_code == 0, verified.stdout
        document = json.loads(verified.stdout)
        assert document["valid"] is True
        assert document["status"] == "VALID"
        assert document["permit"]["number"] == "KE/2026/ZOO/0001"
        assert {"id", "ok", "severity", "message"} <= set(document["checks"][0])
    stdin = cli("verify", "-", stdin=text + "\nCP1:GARBAGE\n")
    assert stdin.exit_code == 1
    assert stdin.stdout.count("NOT VALID") >= 1 and "VALID" in stdin.stdout
    assert cli("verify", out / "KE-2026-ZOO-0001.txt").exit_code == 0  # the QR text file issue writes
    for empty in ("", "\n  \n"):  # nothing to check is no success
        nothing = cli("verify", "--json", "-", stdin=empty)
        assert nothing.exit_code == 1 and json.loads(nothing.stdout)["status"] == "NO_PERMIT_FOUND"
    shutil.copy(out / "KE-2026-ZOO-0001.pdf", tmp_path / "saved-as.txt")  # a PDF is known by its first bytes
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"CP1:\0\x01\x02" * 100)
    named = cli("verify", "--json", tmp_path / "saved-as.txt", tmp_path / "empty.txt", tmp_path / "binary.txt")
    statuses = [json.loads(line)["status"] for line in named.stdout.splitlines()]
    assert named.exit_code == 2 and statuses == ["VALID", "NO_PERMIT_FOUND", "INPUT_ERROR"]
    audited = cli("audit", tmp_path / "saved-as.txt", tmp_path / "empty.txt", tmp_path / "binary.txt", "--report",
                  tmp_path / "audit" / "report.jsonl", "--quiet")  # fmt: skip
    rows = (tmp_path / "audit" / "report.jsonl").read_text().splitlines()
    assert audited.exit_code == 1 and [json.loads(row)["status"] for row in rows] == statuses


def test_issue_refuses_a_future_issue_date_and_a_file_in_the_way(cli: Cli, tmp_path: Path) -> None:
    key = _new_key(cli, tmp_path / "keys")
    description = tmp_path / "later.yaml"
    description.write_text((EXAMPLES / "zoo-transfer-app1.yaml").read_text() + "\nissued: 2099-01-01\n")
    result = cli("issue", description, "--key", key, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "issued: 2099-01-01 is after today" in result.stderr
    assert not (tmp_path / "out").exists()
    for changed, message in (
        ("issued: 2026-01-02", "permits are not issued retrospectively"),
        ("valid_from: 2000-01-01", "valid_from: 2000-01-01 is before the issue date"),
    ):
        description.write_text((EXAMPLES / "zoo-transfer-app1.yaml").read_text() + f"\n{changed}\n")
        refused = cli("issue", description, "--key", key, "--out", tmp_path / "out")
        assert refused.exit_code == 2 and message in refused.stderr and not (tmp_path / "out").exists()
    out = tmp_path / "permits"
    out.mkdir()
    (out / "KE-2026-ZOO-0001.png").write_bytes(b"another permit's file")
    result = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", out)
    assert result.exit_code == 2 and "KE-2026-ZOO-0001.png: already exists; nothing was written" in result.stderr
    assert [path.name for path in out.iterdir()] == ["KE-2026-ZOO-0001.png"]


def test_human_view_shows_the_verdict_and_every_field(cli: Cli, tmp_path: Path) -> None:
    cm_key = _new_key(cli, tmp_path / "cm", party="CM")
    assert cli("issue", EXAMPLES / "timber-export-app2.yaml", "--key", cm_key, "--out", tmp_path / "o").exit_code == 0
    text = next((tmp_path / "o").glob("*.txt")).read_text().strip()
    result = cli("verify", "--payload", text)
    assert result.exit_code == 0
    for expected in ("VALID", "CM/2026/TIM/0457", "Pericopsis elata", "Prunus africana", "48.25 MTQ", "CM-0098812"):
        assert expected in result.stdout


def test_an_output_place_that_cannot_be_written_is_an_input_error(cli: Cli, tmp_path: Path) -> None:
    key = _new_key(cli, tmp_path / "keys")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    example = EXAMPLES / "zoo-transfer-app1.yaml"
    text = tmp_path / "scanned.txt"
    text.write_text("HC1:NOT-A-PERMIT\n")
    for args in (
        ["issue", example, "--key", key, "--out", blocker / "permits"],
        ["keys", "new", "--party", "KE", "--authority", "A", "--out", blocker / "keys"],
        ["audit", text, "--report", blocker / "audit" / "report.jsonl"],
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert (
            result.stderr.startswith(f"error: {blocker}/")
            and "cannot create this folder (Not a directory)" in result.stderr
        )
    assert cli("issue", example, "--key", key, "--out", tmp_path / "permits").exit_code == 0  # the number was kept
    in_the_way = cli("keys", "new", "--party", "KE", "--authority", "A", "--out", blocker)
    assert in_the_way.exit_code == 2 and in_the_way.stderr == f"error: {blocker}: is a file, not a folder\n"


def test_small_mistakes_get_messages_that_name_them(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    empty = cli("verify", "--json", tmp_path / "empty.pdf")
    assert (
        empty.exit_code == 2 and json.loads(empty.stdout)["reason"] == f"{tmp_path / 'empty.pdf'}: empty file (0 bytes)"
    )
    nameless = cli("registry", "lookup", " ")
    assert nameless.exit_code == 2 and "the name is empty" in nameless.stderr
    _new_key(cli, tmp_path / "keys", trust=False)
    certificate = next((tmp_path / "keys").glob("*.cert.pem"))
    other_party = cli("trust", "add", certificate, "--party", "TZ")
    assert other_party.exit_code == 2
    assert other_party.stderr == f"error: {certificate}: the certificate names Party KE, not TZ\n"


def test_issue_refuses_a_key_of_another_party(cli: Cli, tmp_path: Path) -> None:
    tz_key = _new_key(cli, tmp_path / "keys", party="TZ")
    result = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", tz_key, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "the key belongs to TZ" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("type: export\nitems: [", "invalid YAML"),
        ("- just\n- a list\n", "the description as a whole: expected a mapping of fields, got a list"),
        ("number: 1\n", "type: is required"),
        ("type: export\nissued: 2026-13-01\n", "issued: '2026-13-01' is not a date"),
        ("items: &a [*a]\n", "items[0]: expected a mapping of fields, got a list"),
        ("number: A\nnumber: B\n", "bad.yaml:2:1: invalid YAML (the key 'number' is given twice)"),
        ("[" * 100_000, "invalid YAML"),
        ('issuing_officer: "\\ud800"\n', "issuing_officer: is not valid Unicode text (an unpaired surrogate)"),
    ],
)
def test_invalid_descriptions_exit_2_and_write_nothing(cli: Cli, tmp_path: Path, content: str, message: str) -> None:
    key = _new_key(cli, tmp_path / "keys")
    description = tmp_path / "bad.yaml"
    description.write_text(content)
    result = cli("issue", description, "--key", key, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"number": "A", "number": "B"}', "invalid JSON (the key 'number' is given twice)"),
        ("[" * 100_000, "invalid JSON (maximum recursion depth exceeded"),
    ],
)
def test_invalid_json_descriptions_exit_2(cli: Cli, tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    result = cli("issue", tmp_path / "bad.json", "--key", tmp_path / "no.key.pem", "--out", tmp_path / "out")
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_invalid_field_is_named(cli: Cli, tmp_path: Path) -> None:
    key = _new_key(cli, tmp_path / "keys")
    description = tmp_path / "bad.json"
    data = (EXAMPLES / "zoo-transfer-app1.yaml").read_text().replace("source: C", "source: K")
    description.write_text(data)
    description = description.rename(tmp_path / "bad.yaml")
    result = cli("issue", description, "--key", key, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "items[0].source: 'K' is not a CITES source code (W, R, D, A, C, F, U, I, O, X, Y)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_verify_reports_unreadable_files_and_missing_qr(cli: Cli, tmp_path: Path) -> None:
    corrupt = tmp_path / "scan.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    result = cli("verify", "--json", corrupt, tmp_path / "missing.pdf")
    assert result.exit_code == 2
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["status"] for row in rows] == ["INPUT_ERROR", "INPUT_ERROR"]
    assert "missing.pdf" in rows[1]["reason"]


def test_file_names_reach_the_terminal_and_json_safely(cli: Cli, tmp_path: Path) -> None:
    key = _new_key(cli, tmp_path / "keys")
    assert cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "out").exit_code == 0
    latin1 = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.pdf"))
    shutil.copy(tmp_path / "out" / "KE-2026-ZOO-0001.pdf", latin1)
    shown = cli("verify", "--json", latin1)
    assert shown.exit_code == 0 and json.loads(shown.stdout)["source"] == f"{latin1} page 1"  # escaped, exact
    escape = tmp_path / "x\x1b[2J.pdf"
    human = cli("verify", escape)
    assert "\x1b" not in human.stdout + human.stderr and "x\\x1b[2J.pdf" in human.stdout


def test_verify_without_input_is_a_usage_error(cli: Cli) -> None:
    result = cli("verify")
    assert result.exit_code == 2
    assert "nothing to verify" in result.stderr


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys, cli.main\n"
        "heavy = [m for m in ('PIL', 'pypdfium2', 'fpdf', 'qrcode', 'pyzbar', 'zxingcpp', 'sqlalchemy', 'cbor2',"
        " 'cryptography', 'rapidfuzz', 'pycountry') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert result.stdout.strip() == ""


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"cites {version('cites-permits')}"


def test_trusting_a_key_again_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    assert cli("keys", "new", "--party", "KE", "--out", tmp_path, "--authority", "KWS").exit_code == 0
    public = next(tmp_path.glob("*.pub.pem"))  # a bare public key names no authority
    first = cli("trust", "add", public, "--party", "KE", "--authority", "KWS")
    assert first.exit_code == 0 and first.stdout.startswith("trusted: ES256 key ") and first.stdout.endswith(" (KWS)\n")
    again = cli("trust", "add", public, "--party", "ke")  # already trusted: no name needed, nothing changes
    assert again.exit_code == 0 and again.stdout.startswith("already trusted: ES256 key ")
    other = cli("trust", "add", public, "--party", "TZ")
    assert other.exit_code == 2 and "is already trusted for Party KE" in other.stderr
    assert [key["authority"] for key in json.loads(cli("trust", "list", "--json").stdout)] == ["KWS"]


def test_a_party_is_trusted_as_its_code_however_it_is_typed(cli: Cli, tmp_path: Path) -> None:
    """``--party ' ke '`` passes the ISO check as KE, so the key is stored for KE, not for ' KE ' (no permit's)."""
    assert cli("keys", "new", "--party", "KE", "--out", tmp_path, "--authority", "KWS").exit_code == 0
    added = cli("trust", "add", next(tmp_path.glob("*.cert.pem")), "--party", " ke ")
    assert added.exit_code == 0 and added.stdout.endswith(" for KE (KWS)\n"), added.stderr
    assert [key["party"] for key in json.loads(cli("trust", "list", "--json").stdout)] == ["KE"]


@pytest.mark.parametrize("authority", [(), ("--authority", ""), ("--authority", "  ")])
def test_a_bare_public_key_needs_an_authority_name(cli: Cli, tmp_path: Path, authority: tuple[str, ...]) -> None:
    """A bare public key names no authority: the Party code is no name for it (verdicts show it as the signer)."""
    assert cli("keys", "new", "--party", "KE", "--out", tmp_path, "--authority", "KWS").exit_code == 0
    public = next(tmp_path.glob("*.pub.pem"))
    refused = cli("trust", "add", public, "--party", "KE", *authority)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == (
        "error: --authority: a bare public key names no authority (a certificate does); give --authority NAME\n"
    )
    assert json.loads(cli("trust", "list", "--json").stdout) == []
    certificate = next(tmp_path.glob("*.cert.pem"))  # a certificate names it
    assert cli("trust", "add", certificate, "--party", "KE").stdout.endswith(" for KE (KWS)\n")


@pytest.mark.parametrize("authority", ["", "  ", "Kenya Wildlife\nService", "KWS\u202e"])
def test_keys_new_takes_an_authority_name_of_one_plain_line(cli: Cli, tmp_path: Path, authority: str) -> None:
    """The name goes into the certificate and every verdict: an empty one, or one holding a line break or a
    bidirectional control, would show a forged line."""
    refused = cli("keys", "new", "--party", "KE", "--out", tmp_path, "--authority", authority)
    assert refused.exit_code == 2 and refused.stderr.startswith("error: --authority: ")
    assert not list(tmp_path.iterdir())


def test_console_script_help_runs(tmp_path: Path) -> None:
    executable = Path(sys.executable).with_name("cites")
    result = subprocess.run([executable, "--help"], capture_output=True, text=True, env={**os.environ}, check=False)
    assert result.returncode == 0
    assert "issue" in result.stdout and "verify" in result.stdout


def test_command_line_mistakes_are_one_line_errors(cli: Cli) -> None:
    for arguments, message in (
        (("issue",), "error: Missing argument 'description'. (see 'cites issue --help')"),
        (("issue", "x.yaml", "--bogus"), "error: No such option: --bogus"),
        (("ledger", "show", "--last", "0"), "error: Invalid value for '--last'"),
    ):
        result = cli(*arguments)
        assert result.exit_code == 2 and result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert cli().exit_code == 2 and "Usage: cites" in cli().stdout  # no arguments: the help


def test_the_module_runs_as_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("cites ")


def test_the_readme_quick_start_runs_as_written(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    script = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    script = script.replace("source .venv/bin/activate", f'export PATH="{Path(sys.executable).parent}:$PATH"')
    script = script.replace("~/cites-demo", str(tmp_path / "home"))
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.count("VALID") >= 3 and "NOT VALID" not in result.stdout


def test_hostile_arguments_files_and_places_get_one_line_errors(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _new_key(cli, tmp_path / "keys")
    certificate = next((tmp_path / "keys").glob("*.cert.pem"))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    (tmp_path / "control.yaml").write_text("number: A\x07B\n")
    cases: list[tuple[tuple[object, ...], str]] = [
        (("trust", "propose-key", certificate, "--party", "KE", "--out", fifo), "not a regular file"),  # replaced it
        (("trust", "add", fifo, "--party", "KE"), "not a regular file"),  # blocked forever
        (("issue", loop, "--key", key), "cannot read the permit description file"),
        (("issue", tmp_path / "control.yaml", "--key", key), "invalid YAML"),
        (("keys", "new", "--party", "NP", "--authority", "A" * 65, "--out", tmp_path / "k"), "1 to 64 characters"),
        (
            ("audit", tmp_path, "--report", tmp_path / "r.jsonl", "--workers", str(10**21)),
            "Invalid value for '--workers'",
        ),
        (("registry", "lookup", "\udcff"), "not valid UTF-8 text: argument"),
    ]
    for arguments, message in cases:
        result = cli(*arguments)
        assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1, arguments
    assert fifo.is_fifo()
    long_name = "Department of National Parks and Wildlife Conservation"  # 55 characters: a certificate's name fits
    assert cli("keys", "new", "--party", "NP", "--authority", long_name, "--out", tmp_path / "np").exit_code == 0
    monkeypatch.setenv("CITES_KEY_PASSPHRASE", "p" * 2000)
    too_long = cli("keys", "new", "--party", "KE", "--authority", "A", "--out", tmp_path / "k2")
    assert too_long.exit_code == 2 and "longer than 1023 bytes" in too_long.stderr


def test_every_day_option_takes_a_date_with_white_space_around_it() -> None:
    """``--since``, ``--date``, ``--expires``, ``--valid-from``, ``--retire`` and ``registry lookup --at`` all read
    their day with ``parse_day`` (``ledger export --since`` once refused ' 2026-01-01')."""
    import datetime as dt

    from cli.options import parse_day
    from permits.errors import InputError

    assert parse_day(" 2026-01-01\t", "--since") == dt.date(2026, 1, 1)
    with pytest.raises(InputError, match="--since: '2026-1-1' is not a date YYYY-MM-DD"):
        parse_day(" 2026-1-1 ", "--since")
