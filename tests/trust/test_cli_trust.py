"""``cites trust`` and ``cites revoke``/``revocations`` end to end: exit codes and one-line errors, no traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from permits.envelope import seal
from tests.conftest import CliResult, example_permit
from tests.trust.conftest import TODAY

Cli = Callable[..., CliResult]
NUMBER = "KE/2026/ZOO/0001"


def ok(result: CliResult) -> CliResult:
    assert result.exit_code == 0, result.stderr
    return result


def one_line_error(result: CliResult, code: int, fragment: str) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert fragment in result.stderr, result.stderr


@pytest.fixture
def setup(cli: Cli, tmp_path: Path) -> dict[str, Path]:
    """A 2-of-3 root, a KE key proposed and listed in a published v1 list, nothing installed yet."""
    ok(cli("trust", "root-init", "--keys", "3", "--threshold", "2", "--out", tmp_path / "root"))
    ok(cli("keys", "new", "--party", "KE", "--authority", "Kenya Wildlife Service", "--out", tmp_path / "ke"))
    certificate = next((tmp_path / "ke").glob("*.cert.pem"))
    proposal = tmp_path / "ke.entry.json"
    ok(cli("trust", "propose-key", certificate, "--party", "KE", "--scope", "export,re-export", "--out", proposal))
    draft = tmp_path / "list.json"
    expires = (TODAY.replace(year=TODAY.year + 1)).isoformat()
    ok(cli("trust", "draft", proposal, "--version", "1", "--expires", expires, "--out", draft))
    root_keys = sorted((tmp_path / "root").glob("*.key.pem"))
    return {
        "root": tmp_path / "root" / "root.json",
        "root_key_1": root_keys[0],
        "root_key_2": root_keys[1],
        "draft": draft,
        "ma_key": next((tmp_path / "ke").glob("*.key.pem")),
        "final": tmp_path / "trust-list-v1.json",
    }


def test_the_whole_trust_and_revocation_path(cli: Cli, setup: dict[str, Path], tmp_path: Path) -> None:
    s = setup
    ok(cli("trust", "sign", s["draft"], "--key", s["root_key_1"]))
    one_line_error(cli("trust", "sign", s["draft"], "--key", s["root_key_1"]), 2, "already signed by key")
    one_line_error(
        cli("trust", "publish", s["draft"], "--root", s["root"], "--out", s["final"]),
        1,
        "not signed by the threshold: 1 valid signature by root v1 keys, 2 required",
    )
    assert not s["final"].exists()
    ok(cli("trust", "sign", s["draft"], "--key", s["root_key_2"]))
    ok(cli("trust", "publish", s["draft"], "--root", s["root"], "--out", s["final"]))

    one_line_error(cli("trust", "update", s["final"]), 2, "no root is pinned on this machine")
    pinned = ok(cli("trust", "init-root", s["root"]))
    assert "trust on first use" in pinned.stderr
    ok(cli("trust", "update", s["final"]))
    one_line_error(cli("trust", "update", s["final"]), 1, "trust list v1 is already installed")
    certificate = s["ma_key"].with_name(s["ma_key"].name.replace(".key.pem", ".cert.pem"))
    one_line_error(cli("trust", "add", certificate, "--party", "KE"), 2, "a root is pinned: verification uses only")

    shown = json.loads(ok(cli("trust", "show", "--json")).stdout)
    assert shown["mode"] == "signed" and shown["problem"] is None
    assert shown["root"]["threshold"] == 2 and len(shown["root"]["keys"]) == 3
    (key,) = shown["trust_list"]["keys"]
    assert (key["party"], key["scope"], key["state"]) == ("KE", ["export", "re-export"], "current")

    from keys.keyfile import load_signing_key
    from keys.passphrase import passphrase_from_environment_or_prompt

    signer = load_signing_key(s["ma_key"], passphrase_from_environment_or_prompt)
    text = seal(example_permit(), signer)
    verified = cli("verify", "--json", "--payload", text)
    assert verified.exit_code == 0, verified.stdout
    assert json.loads(verified.stdout)["signer"]["trust_source"].startswith("signed trust list v1")
    import_permit = json.loads(cli("verify", "--json", "--payload", seal(example_permit(type="import"), signer)).stdout)
    assert import_permit["status"] == "KEY_SCOPE"

    ok(cli("revoke", NUMBER, "--reason", "lost", "--key", s["ma_key"]))
    one_line_error(cli("revoke", NUMBER, "--reason", "lost", "--key", s["ma_key"]), 2, "was already revoked")
    one_line_error(cli("revoke", "X", "--reason", "misplaced", "--key", s["ma_key"]), 2, "--reason: 'misplaced'")
    revocations = tmp_path / "ke-revocations.json"
    ok(cli("revocations", "publish", "--key", s["ma_key"], "--out", revocations))
    ok(cli("revocations", "update", revocations))
    one_line_error(cli("revocations", "update", revocations), 1, "revocation list of KE v1 is already installed")
    revoked = cli("verify", "--json", "--payload", text)
    assert revoked.exit_code == 1
    document = json.loads(revoked.stdout)
    assert (document["status"], document["reason"]) == ("REVOKED", f"revoked by KE on {TODAY} (reason: lost)")
    listed = json.loads(ok(cli("revocations", "show", "--json")).stdout)
    assert [(row["party"], row["version"], row["entries"]) for row in listed] == [("KE", 1, 1)]


def test_root_keys_and_authority_keys_are_not_interchangeable(cli: Cli, setup: dict[str, Path]) -> None:
    one_line_error(cli("trust", "sign", setup["draft"], "--key", setup["ma_key"]), 2, "not a root key")
    one_line_error(
        cli("revocations", "publish", "--key", setup["root_key_1"], "--out", setup["final"]), 2, "a root key"
    )
    result = cli("issue", "examples/zoo-transfer-app1.yaml", "--key", setup["root_key_1"], "--out", setup["final"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["trust", "show", "missing.json"], 2, "missing.json: root metadata or trust list file not found"),
        (["trust", "init-root", "missing.json"], 2, "missing.json: root metadata file not found"),
        (["trust", "draft", "--expires", "2026-02-30", "--out", "x.json"], 2, "--expires: '2026-02-30' is not a date"),
        (["trust", "propose-key", "missing.pem", "--party", "XX"], 2, "--party: 'XX' is not an ISO 3166-1"),
        (["revocations", "update", "missing.json"], 2, "missing.json: revocation list file not found"),
    ],
)
def test_input_errors_are_one_line(cli: Cli, args: list[str], code: int, fragment: str) -> None:
    one_line_error(cli(*args), code, fragment)


def test_deeply_nested_signed_documents_are_input_errors(cli: Cli, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    for args in (["trust", "show", deep], ["trust", "sign", deep, "--key", deep], ["revocations", "update", deep]):
        one_line_error(cli(*args), 2, "not valid JSON for a signed document (nested too deeply)")


def test_draft_retire_and_compromise_by_key_id(cli: Cli, setup: dict[str, Path], tmp_path: Path) -> None:
    s = setup
    kid = json.loads(s["draft"].read_text())["signed"]["keys"][0]["kid"]
    v2 = tmp_path / "v2.json"
    expires = (TODAY.replace(year=TODAY.year + 1)).isoformat()
    args = ["trust", "draft", "--base", s["draft"], "--expires", expires, "--out", v2]
    one_line_error(cli(*args, "--retire", "abcd=2026-01-01"), 2, "--retire: no key has a key id starting with")
    retiring = tmp_path / "retiring.json"
    ok(
        cli(
            "trust",
            "draft",
            "--base",
            s["draft"],
            "--expires",
            expires,
            "--out",
            retiring,
            "--retire",
            f"{kid}={TODAY}",
        )
    )
    assert f"current until {TODAY}" in ok(cli("trust", "show", retiring)).stdout  # not plain "current"
    ok(cli(*args, "--retire", f"{kid}={TODAY}", "--compromised", f"{kid}={TODAY}"))
    signed = json.loads(v2.read_text())["signed"]
    assert signed["version"] == 2
    assert (signed["keys"][0]["valid_to"], signed["keys"][0]["compromised_since"]) == (str(TODAY), str(TODAY))
    shown = ok(cli("trust", "show", v2)).stdout
    assert "COMPROMISED since" in shown


def test_root_rotation_through_the_cli(cli: Cli, setup: dict[str, Path], tmp_path: Path) -> None:
    s = setup
    ok(cli("trust", "init-root", s["root"]))
    one_line_error(cli("trust", "init-root", s["root"]), 2, "a root is already pinned")
    ok(cli("trust", "root-init", "--keys", "2", "--threshold", "2", "--base", s["root"], "--out", tmp_path / "v2"))
    new_root = tmp_path / "v2" / "root.json"
    one_line_error(cli("trust", "rotate-root", new_root), 1, "0 valid signatures by the current root v1's keys")
    one_line_error(
        cli("trust", "publish", new_root, "--root", s["root"], "--out", tmp_path / "root-v2.json"), 1, "2 required"
    )
    ok(cli("trust", "sign", new_root, "--key", s["root_key_1"]))
    ok(cli("trust", "sign", new_root, "--key", s["root_key_2"]))
    ok(cli("trust", "publish", new_root, "--root", s["root"], "--out", tmp_path / "root-v2.json"))
    ok(cli("trust", "rotate-root", tmp_path / "root-v2.json"))
    shown = json.loads(ok(cli("trust", "show", "--json")).stdout)
    assert shown["root"]["version"] == 2
    assert shown["problem"].startswith("no signed trust list is installed")


def test_a_key_cannot_be_proposed_for_another_party_than_its_certificate(cli: Cli, setup: dict[str, Path]) -> None:
    certificate = setup["ma_key"].with_name(setup["ma_key"].name.replace(".key.pem", ".cert.pem"))
    result = cli("trust", "propose-key", certificate, "--party", "TZ", "--out", setup["final"])
    one_line_error(result, 2, "--party: the certificate names Party KE, not TZ")
    assert not setup["final"].exists()


def test_trust_show_keeps_its_columns_in_line_whatever_the_window(
    cli: Cli, setup: dict[str, Path], tmp_path: Path
) -> None:
    """A validity window of two dates ('2026-11-29 to 2026-11-29') is wider than 'from 2026-11-29': the columns
    after it still start at one place on every line."""
    ok(cli("keys", "new", "--party", "TZ", "--authority", "TAWA", "--out", tmp_path / "tz"))
    certificate = next((tmp_path / "tz").glob("*.cert.pem"))
    proposal = tmp_path / "tz.entry.json"
    window = ("--valid-from", str(TODAY), "--valid-to", str(TODAY))
    ok(cli("trust", "propose-key", certificate, "--party", "TZ", "--scope", "import", *window, "--out", proposal))
    both = tmp_path / "both.json"
    expires = (TODAY.replace(year=TODAY.year + 1)).isoformat()
    ok(cli("trust", "draft", "--base", setup["draft"], proposal, "--expires", expires, "--out", both))
    lines = [line for line in ok(cli("trust", "show", both)).stdout.splitlines() if line.startswith("  ")][-2:]
    assert [line.split()[0] for line in lines] == ["KE", "TZ"] and f"{TODAY} to {TODAY}" in lines[1]
    for column in ("export,re-export", "current"):  # the scope and state columns of the KE line
        assert lines[1][lines[0].index(column) - 2 : lines[0].index(column)] == "  ", (column, lines)
        assert lines[1][lines[0].index(column)] != " ", (column, lines)
    assert lines[0].endswith("  Kenya Wildlife Service") and lines[1].endswith("  TAWA")
    assert lines[0].index("Kenya Wildlife Service") == lines[1].index("TAWA")
