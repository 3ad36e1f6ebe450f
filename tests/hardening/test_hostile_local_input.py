"""Hostile local files, settings and arguments (the stop-13 traceback hunt): each is one ``error:`` line with
its exit code, or a verdict, never a traceback or a hang."""

from __future__ import annotations

import base64
import errno
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from keys.signed import today_utc
from keys.trust.local import STORE_FORMAT, STORE_VERSION
from keys.trust.root import ROOT_TYPE
from permits import limits
from permits.ledger.exchange import EXPORT_TYPE
from permits.verification.inputs import Scanned
from tests.conftest import EXAMPLES, REPO_ROOT, CliResult, MakeAuthority

Cli = Callable[..., CliResult]


def assert_one_error_line(result: CliResult, fragment: str, code: int = 2) -> None:
    """Exit code ``code`` and exactly one line on standard error, an ``error:`` line holding ``fragment``."""
    assert result.exit_code == code, result
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert fragment in result.stderr, result.stderr


def test_a_damaged_local_trust_store_is_one_error_line(
    cli: Cli, cites_home: Path, make_authority: MakeAuthority
) -> None:
    make_authority()
    store = cites_home / "trust" / "local-store.json"
    good = json.loads(store.read_text())
    entry = good["keys"][0]
    header = {"format": STORE_FORMAT, "version": STORE_VERSION}
    damaged: list[object] = [
        [1],
        "text",
        {**header, "keys": 5},
        {**header, "keys": [5]},
        {**header, "keys": [{**entry, "public_key": 5}]},
        {**header, "keys": [{**entry, "alg": ["ES256"]}]},
        {**header, "keys": [{**entry, "kid": 7}]},
        {**header, "keys": [{**entry, "party": None}]},
        {**header, "keys": [{**entry, "scope": 5}]},
        {**header, "keys": [{**entry, "scope": [5]}]},
        {**header, "keys": [{key: value for key, value in entry.items() if key != "authority"}]},
        {**header, "keys": [{**entry, "public_key": pem(unsupported_curve_key())}]},
    ]
    for document in damaged:
        store.write_text(json.dumps(document))
        assert_one_error_line(cli("verify", "--payload", "CP1:X"), f"{store}: cannot read the trust store")
    for raw in (json.dumps(good)[:40].encode(), b"\xff\xfe not UTF-8"):
        store.write_bytes(raw)
        assert_one_error_line(cli("verify", "--payload", "CP1:X"), f"{store}: cannot read the trust store")
    store.unlink()
    store.mkdir()
    assert_one_error_line(cli("verify", "--payload", "CP1:X"), "Is a directory")


def unsupported_curve_key() -> bytes:
    """The DER SubjectPublicKeyInfo of a key on sect163k1, a curve the cryptography library cannot load (it
    raises ``UnsupportedAlgorithm``, not ``ValueError``): a P-256 key with the curve's identifier swapped."""
    p256 = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    )
    patched = bytearray(p256.replace(bytes.fromhex("06082a8648ce3d030107"), bytes.fromhex("06052b81040001")))
    patched[1] -= 3  # the lengths of the outer and of the algorithm identifier's SEQUENCE
    patched[3] -= 3
    return bytes(patched)


def pem(der: bytes) -> str:
    """A SubjectPublicKeyInfo in PEM."""
    return f"-----BEGIN PUBLIC KEY-----\n{base64.b64encode(der).decode()}\n-----END PUBLIC KEY-----\n"


def test_signed_files_with_wrong_typed_fields_or_unsupported_keys_are_one_error_line(
    cli: Cli, tmp_path: Path, make_authority: MakeAuthority
) -> None:
    certificate = make_authority().files.certificate
    alien = base64.b64encode(unsupported_curve_key()).decode()
    header = {"version": 1, "issued": today_utc().isoformat(), "expires": today_utc().isoformat()}
    export = {**header, "type": EXPORT_TYPE, "post": "P", "since": header["issued"], "uses": [], "registered": []}
    export["events"] = []
    root_key = {"keyid": "0" * 64, "alg": "ES256", "public_key": alien}
    cases: list[tuple[tuple[object, ...], dict[str, object], str]] = [
        (("trust", "init-root"), {"type": [1]}, "signed.type: is [1]"),
        (("revocations", "update"), {"type": {"a": 1}}, "signed.type: is {'a': 1}"),
        (("ledger", "import", "--from-key", certificate), {"type": ["x"]}, "signed.type: is ['x']"),
        (("ledger", "import", "--from-key", certificate), {**export, "signer": 5}, "signed.signer: must be a JSON"),
        (("ledger", "import", "--from-key", certificate), {**export, "signer": [1]}, "signed.signer: must be a JSON"),
        (("ledger", "import", "--from-key", certificate), {**export, "signer": {}}, "signed.signer: missing field"),
        (
            ("ledger", "import", "--from-key", certificate),
            {**export, "signer": {"alg": "ES256", "public_key": alien}},
            "signed.signer.public_key: a key on an unsupported curve",
        ),
        (
            ("trust", "init-root"),
            {**header, "type": ROOT_TYPE, "threshold": 1, "keys": [root_key]},
            "signed.keys[0].public_key: a key on an unsupported curve",
        ),
    ]
    for command, signed, message in cases:
        document = tmp_path / "document.json"
        document.write_text(json.dumps({"signed": signed, "signatures": []}))
        assert_one_error_line(cli(*command[:2], document, *command[2:]), message)
    public_key = tmp_path / "alien.pub.pem"
    public_key.write_text(pem(unsupported_curve_key()))
    assert_one_error_line(cli("trust", "add", public_key, "--party", "KE"), f"{public_key}: a key on an unsupported")


def test_an_unwritable_cites_home_is_one_error_line(
    cli: Cli, cites_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    with monkeypatch.context() as patched:  # as root, a folder of mode 0555 is still writable
        patched.setattr(tempfile, "mkstemp", refused)
        for command in (("registry", "lookup", "Manis javanica"), ("registry", "info")):
            assert_one_error_line(cli(*command), f"{cites_home / 'registry.sqlite'}: cannot write the species registry")
    assert list(cites_home.iterdir()) == []
    (cites_home / "scan-log.jsonl").mkdir()
    result = cli("scan", stdin="CP1:X\n")
    assert_one_error_line(result, f"{cites_home / 'scan-log.jsonl'}: cannot write the scan log (Is a directory)")


def test_over_long_paths_and_host_names_are_one_error_line(
    cli: Cli, tmp_path: Path, make_authority: MakeAuthority
) -> None:
    key = make_authority().files.private
    for out in (tmp_path / ("a" * 300), tmp_path / ("a/" * 2500)):  # a name over 255 bytes; a path over 4096
        issued = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", out)
        assert_one_error_line(issued, "File name too long")
        assert_one_error_line(cli("trust", "root-init", "--keys", "1", "--threshold", "1", "--out", out), "too long")
    assert not list(tmp_path.glob("a*"))
    long_name = tmp_path / ("a" * 300)
    for command in (
        ("verify", "--payload", "CP1:X", "--db", f"sqlite:///{long_name}"),
        ("ledger", "check", "--db", f"sqlite:///{long_name}"),
        ("audit", long_name, "--report", tmp_path / "report.jsonl"),
        ("scan", "--watch", long_name),
    ):
        assert_one_error_line(cli(*command), f"{long_name}: cannot use this path (File name too long)")
    label = "h" * 64  # a DNS label has at most 63 characters
    for url in (f"postgresql://cites@{label}.example.org/cites", f"postgresql://cites@/cites?host={label}.org"):
        assert_one_error_line(cli("ledger", "check", "--db", url), f"ledger URL: '{label}.")


class HugeFirstLine:
    """Standard input whose first line has ``length`` characters, made up as they are read, then ``rest``; it can
    only be read with ``readline(size)``, and a size beyond twice the line limit fails the test."""

    def __init__(self, length: int, rest: str) -> None:
        self.left = length
        self.rest = io.StringIO("\n" + rest)

    def readline(self, size: int) -> str:
        assert 0 < size <= 2 * limits.MAX_INPUT_LINE_CHARS, "a line read without a bound"
        if self.left:
            chunk = min(size, self.left)
            self.left -= chunk
            return "A" * chunk
        return self.rest.readline(size)


def test_a_line_of_a_gigabyte_on_standard_input_is_refused_unread(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, make_authority: MakeAuthority
) -> None:
    make_authority()
    monkeypatch.setattr("sys.stdin", HugeFirstLine(2**30, "CP1:X\n"))
    result = cli("verify", "--json", "-")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 2 and [row["status"] for row in rows] == ["INPUT_ERROR", "MALFORMED"]
    assert (
        rows[0]["reason"]
        == f"stdin line 1: longer than {limits.MAX_INPUT_LINE_CHARS:,} characters (no QR text is); refused"
    )
    monkeypatch.setattr("sys.stdin", HugeFirstLine(limits.MAX_INPUT_LINE_CHARS + 1, "CP1:X\n"))
    scanned = cli("scan")
    assert scanned.exit_code == 0 and scanned.stdout.count("NOT VALID") == 2 and "longer than" in scanned.stdout
    at_the_limit = "CP1:" + "A" * (limits.MAX_INPUT_LINE_CHARS - 4)
    judged = cli("verify", "--json", "-", stdin=f"{at_the_limit}\n{at_the_limit}")  # the last without a line end
    assert [json.loads(line)["status"] for line in judged.stdout.splitlines()] == ["MALFORMED", "MALFORMED"]


def test_a_registry_name_is_at_most_200_characters(cli: Cli) -> None:
    assert cli("registry", "lookup", "a" * limits.MAX_NAME_CHARS).exit_code == 0  # unknown, with suggestions
    refused = cli("registry", "lookup", "a" * 100_000)  # printing it took a minute
    assert_one_error_line(refused, "NAME: 100,000 characters is over the limit of 200; refused")


def test_names_and_numbers_typed_on_the_command_line_are_one_line_of_plain_text(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_authority: MakeAuthority
) -> None:
    key = make_authority().files.private
    assert cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "out").exit_code == 0
    permit = tmp_path / "out" / "KE-2026-ZOO-0001.txt"

    def endorse(port: str = "Mombasa seaport", officer: str = "A. Otieno") -> CliResult:
        return cli("endorse", permit, "--port", port, "--officer", officer)

    for bad in ("Mombasa\nseaport", "A\u202eB", "x\ty", "\u2028", "A\x7fB", "a" * 201):
        assert_one_error_line(endorse(port=bad), "--port: ")
        assert_one_error_line(endorse(officer=bad), "--officer: ")
        with monkeypatch.context() as patched:
            patched.setenv("CITES_POST", bad)
            assert_one_error_line(endorse(), "CITES_POST: ")
        assert_one_error_line(cli("revoke", bad, "--reason", "lost", "--key", key), "NUMBER: ")
        assert_one_error_line(cli("ledger", "show", "KE", bad), "NUMBER: ")
    assert "line break" in endorse(port="Mombasa\nseaport").stderr
    assert endorse().exit_code == 0  # nothing refused was recorded: the permit is still unused


def test_devices_and_pipes_given_to_verify_or_audit_are_not_regular_files(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    pipe = folder / "scanner.txt"
    os.mkfifo(pipe)
    os.mkfifo(folder / "scanner")
    for name in ("/dev/zero", "/dev/null", str(pipe), str(folder / "scanner")):  # /dev/zero said "empty file"
        result = cli("verify", "--json", name)
        row = json.loads(result.stdout)
        assert result.exit_code == 2 and row["status"] == "INPUT_ERROR", name
        assert row["reason"].startswith(f"{name}: not a regular file"), row["reason"]
    (folder / "scanned.txt").write_text("CP1:X\n")
    report = tmp_path / "report.jsonl"
    audited = cli("audit", folder, "/dev/zero", "--report", report, "--workers", "1", "--quiet")  # a pipe blocked
    rows = {row["input"]: row for row in map(json.loads, report.read_text().splitlines())}
    assert audited.exit_code == 1 and set(rows) == {"/dev/zero", str(pipe), f"{folder / 'scanned.txt'}:1"}
    assert rows[str(pipe)]["status"] == rows["/dev/zero"]["status"] == "INPUT_ERROR"
    assert rows[str(pipe)]["reason"].startswith(f"{pipe}: not a regular file")


def test_counts_and_versions_out_of_range_are_usage_errors(cli: Cli, tmp_path: Path) -> None:
    for stop_after in ("-1", "0"):
        result = cli("scan", "--watch", tmp_path, "--stop-after", stop_after)
        assert_one_error_line(result, "Invalid value for '--stop-after'")
    draft = ("trust", "draft", "--expires", "2099-01-01", "--out", tmp_path / "list.json", "--version")
    assert_one_error_line(cli(*draft, str(2**31)), "Invalid value for '--version'")
    assert not (tmp_path / "list.json").exists()


def test_an_empty_out_is_a_usage_error(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"  # the current folder, where an empty --out wrote
    work.mkdir()
    monkeypatch.chdir(work)
    commands: list[tuple[str, ...]] = [
        ("issue", "permit.yaml", "--key", "k.pem"),
        ("keys", "new", "--party", "KE", "--authority", "A"),
        ("trust", "root-init", "--keys", "1", "--threshold", "1"),
        ("trust", "propose-key", "k.cert.pem", "--party", "KE"),
        ("trust", "draft", "--expires", "2099-01-01"),
        ("trust", "sign", "list.json", "--key", "k.pem"),
        ("trust", "publish", "list.json"),
        ("ledger", "export", "--since", "2026-01-01", "--key", "k.pem"),
        ("revocations", "publish", "--key", "k.pem"),
    ]
    for command in commands:
        assert_one_error_line(cli(*command, "--out", ""), "Invalid value for '--out': an empty path")
    assert list(work.iterdir()) == []


def test_an_out_naming_the_signing_key_or_the_ledger_writes_nothing_over_it(
    cli: Cli, make_authority: MakeAuthority, cites_home: Path
) -> None:
    authority = make_authority()
    assert cli("revoke", "KE/2026/1", "--reason", "lost", "--key", authority.files.private).exit_code == 0
    key, ledger = authority.files.private, cites_home / "ledger.sqlite"
    kept = key.read_bytes()
    for out in (key, ledger):  # a slip of the shell's completion: --out where --key was meant
        for command in (
            ("ledger", "export", "--since", "2026-01-01", "--key", key, "--out", out),
            ("revocations", "publish", "--key", key, "--out", out),
            ("trust", "propose-key", authority.files.certificate, "--party", "KE", "--out", out),
            ("trust", "draft", "--expires", "2099-01-01", "--out", out),
        ):
            assert_one_error_line(cli(*command), f"{out}: holds ")
    assert key.read_bytes() == kept
    assert cli("ledger", "check").stdout.startswith("audit trail intact: 1 entries")  # still a ledger


def test_ctrl_c_in_verify_exits_130_as_the_readme_says(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> Iterator[Scanned]:
        yield Scanned("--payload #1", "CP1:X")
        raise KeyboardInterrupt

    monkeypatch.setattr("permits.verification.inputs.verification_inputs", interrupted)
    result = cli("verify", "--json", "--payload", "CP1:X", "--payload", "CP1:Y")
    assert result.exit_code == 130 and result.stderr == ""
    assert [json.loads(line)["status"] for line in result.stdout.splitlines()] == ["MALFORMED"]  # the first verdict
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "| 130 | interrupted (Ctrl-C)" in readme[readme.index("## Exit codes") :]
