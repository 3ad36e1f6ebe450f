"""Offline posts exchanging signed exports with each other and a PostgreSQL centre, and the endorse/verify
commands end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, CliResult

Cli = Callable[..., CliResult]


def _post_key(cli: Cli, folder: Path, party: str = "KE") -> tuple[Path, Path]:
    assert cli("keys", "new", "--party", party, "--authority", f"post {folder.name}", "--out", folder).exit_code == 0
    return next(folder.glob("*.key.pem")), next(folder.glob("*.cert.pem"))


def _issued_permit(cli: Cli, tmp_path: Path) -> str:
    keys = tmp_path / "ma"
    key, certificate = _post_key(cli, keys)
    assert cli("trust", "add", certificate, "--party", "KE").exit_code == 0
    result = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    return (tmp_path / "out" / "KE-2026-ZOO-0001.txt").read_text().strip()


def test_endorse_then_verify_says_already_used(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITES_POST", "mombasa-post")
    text = _issued_permit(cli, tmp_path)
    first = cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A. Otieno", "--quantity", "1=1")
    assert first.exit_code == 0, first.stderr
    assert "endorsed KE KE/2026/ZOO/0001 at Mombasa" in first.stdout and "line 1: 1 NUM" in first.stdout
    again = cli("endorse", "--payload", text, "--port", "Namanga", "--officer", "B")
    assert again.exit_code == 1
    assert "ALREADY_USED" in again.stderr and "already used at Mombasa" in again.stderr
    verdict = cli("verify", "--json", "--payload", text)
    document = json.loads(verdict.stdout)
    assert verdict.exit_code == 1
    assert document["status"] == "ALREADY_USED"
    assert document["reason"].startswith("already used at Mombasa on ")
    assert document["use"]["officer"] == "A. Otieno" and document["use"]["quantities"] == {"1": "1"}


BAD_QUANTITIES = [("1=3", 1, "more than the 2 NUM"), ("2=1", 2, "lines 1 to 1"), ("x", 2, "expected LINE=QUANTITY")]


@pytest.mark.parametrize(("quantity", "code", "message"), BAD_QUANTITIES)
def test_endorse_refuses_bad_quantities(cli: Cli, tmp_path: Path, quantity: str, code: int, message: str) -> None:
    text = _issued_permit(cli, tmp_path)
    result = cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A", "--quantity", quantity)
    assert result.exit_code == code and message in result.stderr
    assert cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A").exit_code == 0


def test_issue_refuses_a_second_permit_with_the_same_number(cli: Cli, tmp_path: Path) -> None:
    _issued_permit(cli, tmp_path)
    key = next((tmp_path / "ma").glob("*.key.pem"))
    result = cli("issue", EXAMPLES / "zoo-transfer-app1.yaml", "--key", key, "--out", tmp_path / "again")
    assert result.exit_code == 2
    assert "KE already issued permit number KE/2026/ZOO/0001" in result.stderr
    assert not (tmp_path / "again").exists() or not list((tmp_path / "again").iterdir())


def test_posts_exchange_exports_with_a_centre(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_database: Any, ledger_url: str
) -> None:
    kind = "sqlite" if ledger_url.startswith("sqlite") else "postgresql"
    post_a, post_b = new_database("sqlite", "post-a"), new_database("sqlite", "post-b")
    centre = ledger_url if kind == "postgresql" else new_database("sqlite", "centre")
    text = _issued_permit(cli, tmp_path)
    key_a, cert_a = _post_key(cli, tmp_path / "post-a")
    key_b, cert_b = _post_key(cli, tmp_path / "post-b")
    monkeypatch.setenv("CITES_POST", "post-a")
    assert cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A", "--db", post_a).exit_code == 0
    export_a = tmp_path / "a.json"
    assert (
        cli("ledger", "export", "--since", "2020-01-01", "--key", key_a, "--out", export_a, "--db", post_a).exit_code
        == 0
    )

    first = cli("ledger", "import", export_a, "--from-key", cert_a, "--db", centre)
    assert first.exit_code == 0 and "1 new use(s)" in first.stdout
    again = cli("ledger", "import", export_a, "--from-key", cert_a, "--db", centre)
    assert again.exit_code == 0 and "0 new use(s), 1 already known" in again.stdout

    monkeypatch.setenv("CITES_POST", "post-b")  # offline, post B lets the same permit through again
    assert cli("endorse", "--payload", text, "--port", "Namanga", "--officer", "B", "--db", post_b).exit_code == 0
    export_b = tmp_path / "b.json"
    assert (
        cli("ledger", "export", "--since", "2020-01-01", "--key", key_b, "--out", export_b, "--db", post_b).exit_code
        == 0
    )
    double = cli("ledger", "import", export_b, "--from-key", cert_b, "--db", centre)
    assert double.exit_code == 1 and "DOUBLE USE of KE KE/2026/ZOO/0001" in double.stderr
    assert "Mombasa" in double.stderr and "Namanga" in double.stderr
    alerts = cli("ledger", "alerts", "--json", "--db", centre)
    assert alerts.exit_code == 1 and json.loads(alerts.stdout)["second"]["port"] == "Namanga"
    assert cli("ledger", "import", export_b, "--from-key", cert_b, "--db", centre).exit_code == 1
    assert len(cli("ledger", "alerts", "--json", "--db", centre).stdout.splitlines()) == 1

    tampered = tmp_path / "tampered.json"
    tampered.write_text(export_a.read_text().replace("Mombasa", "Malaba"))
    refused = cli("ledger", "import", tampered, "--from-key", cert_a, "--db", centre)
    assert refused.exit_code == 1 and "not signed by the threshold" in refused.stderr
    wrong_key = cli("ledger", "import", export_a, "--from-key", cert_b, "--db", centre)
    assert wrong_key.exit_code == 1 and "not the pinned post key" in wrong_key.stderr
    assert cli("ledger", "check", "--db", centre).exit_code == 0


def test_issue_endorse_and_revoke_are_in_the_audit_trail(cli: Cli, tmp_path: Path) -> None:
    text = _issued_permit(cli, tmp_path)
    assert cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A").exit_code == 0
    key = next((tmp_path / "ma").glob("*.key.pem"))
    assert cli("revoke", "KE/2026/ZOO/0001", "--reason", "stolen", "--key", key).exit_code == 0
    check = cli("ledger", "check")
    assert check.exit_code == 0 and "audit trail intact: 3 entries" in check.stdout
