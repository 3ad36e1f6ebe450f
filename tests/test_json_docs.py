"""Every ``--json`` field is documented: each command's real JSON output (and the scan log and the audit report)
is walked recursively, and every key must be a backticked name in docs/JSON.md (for the verdicts of ``verify``,
``scan`` and ``audit`` and the outcome of ``endorse``, README.md's sections on them count too). A field added to
any of these outputs without documentation makes a test here fail."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from permits.envelope import seal
from permits.ledger.interface import AlertKind
from permits.model import (
    LINE_FIELDS,
    MARK_FIELDS,
    PERMIT_FIELDS,
    QUOTA_FIELDS,
    REFERENCE_FIELDS,
    REPLACEMENT_FIELDS,
    TRADER_FIELDS,
    Permit,
)
from tests.conftest import EXAMPLES, REPO_ROOT, Authority, CliResult, MakeAuthority, example_mapping

Cli = Callable[..., CliResult]
JSON_DOC = REPO_ROOT / "docs" / "JSON.md"
README = REPO_ROOT / "README.md"
README_SECTIONS = ("## JSON output (`cites verify --json`)", "## Usage ledger", "## Batch audits (`cites audit`)")
"""The README sections that document the verdict, endorsement and audit fields."""
FREE_FORM = frozenset({"quantities", "details"})
"""Fields whose keys are data (line numbers; a finding's kind-specific facts), not field names."""
NUMBER = "KE/2026/ZOO/0001"
ZOO = "zoo-transfer-app1.yaml"


@cache
def _backticked(path: Path) -> frozenset[str]:
    """Every `name` written alone between backticks."""
    return frozenset(re.findall(r"`([^`\n]+)`", path.read_text(encoding="utf-8")))


@cache
def _readme_names() -> frozenset[str]:
    """The names inside backticks in README's verdict, endorsement and audit sections (which also write field
    lists such as `{id, ok, severity, message}`)."""
    text = README.read_text(encoding="utf-8")
    names: set[str] = set()
    for heading in README_SECTIONS:
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        for span in re.findall(r"`([^`\n]+)`", text[start : end if end != -1 else len(text)]):
            names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))
    return frozenset(names)


def _keys(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every object key in ``value`` with its path, not descending into free-form maps."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, f"{path}.{key}"
            if key not in FREE_FORM:
                yield from _keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, f"{path}[]")


def assert_documented(outputs: Iterable[Any], readme: bool = False) -> None:
    known = _backticked(JSON_DOC) | (_readme_names() if readme else frozenset())
    missing: dict[str, str] = {}
    for output in outputs:
        for key, path in _keys(output):
            if key not in known:
                missing.setdefault(key, path)
    where = "docs/JSON.md or README.md" if readme else "docs/JSON.md"
    assert not missing, f"JSON fields not documented in {where}: {missing}"


def _lines(text: str) -> list[dict[str, Any]]:
    """JSON Lines: every non-empty line is one object."""
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all(isinstance(record, dict) for record in records), text
    return records


def _one(result: CliResult) -> Any:
    return json.loads(result.stdout)


def _ok(result: CliResult, code: int = 0) -> CliResult:
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def _issue(cli: Cli, authority: Authority, description: Path, out: Path, *db: str) -> str:
    """Issue with ``cites issue`` (entering the permit in the issuing register); returns its QR text."""
    _ok(cli("issue", description, "--key", authority.files.private, "--out", out, *db))
    return next(out.glob("*.txt")).read_text().strip()


def _description(tmp_path: Path, name: str, **changes: object) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({**example_mapping(ZOO), **changes}))
    return path


def _permit_with_every_field() -> Permit:
    """The zoo permit with every optional field filled in, on a second line too."""
    data = example_mapping(ZOO)
    items = data["items"]
    assert isinstance(items, list)
    line = {
        **items[0],
        "source": "I",
        "second_source": "W",
        "source_justification": "confiscated and returned",
        "quota": {"exported_to_date": "1", "annual_quota": "10"},
        "origin": {"country": "TZ", "number": "TZ/2025/17", "date": "2025-01-10"},
        "last_reexport": {"country": "UG", "number": "UG/2025/RE/3", "date": "2025-02-01"},
        "acquisition": "ACQ-2025-1",
    }
    data.update(
        number="KE/2026/ZOO/0900",
        valid_from=dt.date.today().isoformat(),
        replaces={"number": "KE/2026/ZOO/0899", "reason": "lost"},
        items=[items[0], line],
    )
    permit = Permit.from_mapping(data)
    mapping = permit.to_mapping()
    assert set(mapping) == PERMIT_FIELDS and set(mapping["items"][1]) == LINE_FIELDS  # every field is shown
    return permit


def test_verdicts_endorsements_scans_audits_and_revocation_lists(
    cli: Cli, make_authority: MakeAuthority, tmp_path: Path, cites_home: Path
) -> None:
    authority = make_authority()
    text = _issue(cli, authority, EXAMPLES / ZOO, tmp_path / "out")
    full = seal(_permit_with_every_field(), authority.key)
    unreadable = tmp_path / "blank.png"
    unreadable.write_bytes(b"not an image")
    verdicts = _lines(
        _ok(cli("verify", "--json", "--payload", text, "--payload", full, "-", unreadable, stdin=""), 2).stdout
    )
    statuses = [verdict["status"] for verdict in verdicts]  # payloads first, then stdin and the file
    assert statuses[0] == "VALID" and statuses[2:] == ["NO_PERMIT_FOUND", "INPUT_ERROR"]
    assert set(verdicts[1]["permit"]) == PERMIT_FIELDS and verdicts[2]["checks"][0]["id"] == "read"

    endorsements = [
        _one(_ok(cli("endorse", "--json", "--payload", text, "--port", "Mombasa", "--officer", "A. Otieno"))),
        _one(_ok(cli("endorse", "--json", "--payload", text, "--port", "Namanga", "--officer", "B"), 1)),
        _one(_ok(cli("endorse", "--json", unreadable, "--port", "Mombasa", "--officer", "A"), 2)),
    ]
    assert [outcome["status"] for outcome in endorsements] == ["ENDORSED", "ALREADY_USED", "INPUT_ERROR"]
    used = _one(_ok(cli("verify", "--json", "--payload", text), 1))
    assert used["status"] == "ALREADY_USED" and "use" in used

    _ok(cli("scan", stdin=f"{text}\nnot a permit\n"))
    scanned = _lines((cites_home / "scan-log.jsonl").read_text(encoding="utf-8"))
    assert [record["status"] for record in scanned] == ["ALREADY_USED", "MALFORMED"] and "scanned_at" in scanned[0]

    batch, report = tmp_path / "batch.txt", tmp_path / "audit.jsonl"
    batch.write_text(f"{text}\n{text}\nnot a permit\n")
    _ok(cli("audit", batch, "--report", report, "--workers", "1", "--quiet"), 1)
    rows = _lines(report.read_text(encoding="utf-8"))
    findings = _lines((tmp_path / "audit.findings.jsonl").read_text(encoding="utf-8"))
    assert len(rows) == 3 and [finding["kind"] for finding in findings] == ["REPEATED_PERMIT"]

    assert _one(_ok(cli("revocations", "show", "--json"))) == []
    _ok(cli("revoke", NUMBER, "--reason", "lost", "--key", authority.files.private))
    published = tmp_path / "KE-revocations.json"
    _ok(cli("revocations", "publish", "--key", authority.files.private, "--out", published))
    _ok(cli("revocations", "update", published))
    revoked = _one(_ok(cli("verify", "--json", "--payload", text), 1))
    assert revoked["status"] == "REVOKED" and "revocation" in revoked
    lists = _one(_ok(cli("revocations", "show", "--json")))
    assert [entry["party"] for entry in lists] == ["KE"]

    assert_documented([*verdicts, *endorsements, used, *scanned, *rows, *findings, revoked], readme=True)
    assert_documented([scanned[0], lists])  # fields that only docs/JSON.md documents


def test_ledger_show_and_alerts(
    cli: Cli, make_authority: MakeAuthority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority = make_authority()
    text = _issue(cli, authority, EXAMPLES / ZOO, tmp_path / "out")
    monkeypatch.setenv("CITES_POST", "Mombasa seaport")
    _ok(cli("endorse", "--payload", text, "--port", "Mombasa", "--officer", "A"))
    quiet = _ok(cli("ledger", "alerts", "--json"))
    assert quiet.stdout == ""  # no alerts: no lines, exit 0

    # Post B, offline: another office issues the number again and re-uses the stamp; the permit goes through
    # a second time. Its signed export reaches this ledger.
    post = make_authority(authority="Namanga border post", trusted=False)
    monkeypatch.setenv("CITES_POST", "Namanga")
    post_b = f"sqlite:///{tmp_path / 'post-b.sqlite'}"
    _ok(cli("ledger", "init", "--db", post_b))
    same_number = _description(tmp_path, "same-number", security_stamp="KE-SS-9999999")
    same_stamp = _description(tmp_path, "same-stamp", number="KE/2026/ZOO/0002")
    _issue(cli, authority, same_number, tmp_path / "b1", "--db", post_b)
    _issue(cli, authority, same_stamp, tmp_path / "b2", "--db", post_b)
    _ok(cli("endorse", "--payload", text, "--port", "Namanga", "--officer", "B", "--db", post_b))
    # Then post B starts a new ledger under the same key: its entry 1 contradicts the one imported before.
    post_c = f"sqlite:///{tmp_path / 'post-c.sqlite'}"
    _ok(cli("ledger", "init", "--db", post_c))
    _ok(cli("endorse", "--payload", text, "--port", "Malaba", "--officer", "C", "--db", post_c))
    for name, url in (("b", post_b), ("c", post_c)):
        export = tmp_path / f"{name}.json"
        _ok(cli("ledger", "export", "--since", "2020-01-01", "--key", post.files.private, "--out", export, "--db", url))
        _ok(cli("ledger", "import", export, "--from-key", post.files.certificate), 1)

    alerts = _lines(_ok(cli("ledger", "alerts", "--json"), 1).stdout)
    assert {alert["kind"] for alert in alerts} == set(AlertKind)
    trail = _lines(_ok(cli("ledger", "show", "--json")).stdout)
    assert {event["action"] for event in trail} == {"issue", "endorse", "import"}
    shown = _one(_ok(cli("ledger", "show", "KE", NUMBER, "--json")))
    assert shown["issued"] and shown["use"] and shown["alerts"] and shown["events"]
    unknown = _one(_ok(cli("ledger", "show", "KE", "KE/0", "--json")))
    assert unknown == {"party": "KE", "number": "KE/0", "issued": None, "use": None, "alerts": [], "events": []}

    assert_documented([*alerts, *trail, shown, unknown])
    known = _backticked(JSON_DOC)
    assert {event["action"] for event in trail} | {str(kind) for kind in AlertKind} <= known


def test_trust_store_roots_and_trust_lists(cli: Cli, make_authority: MakeAuthority, tmp_path: Path) -> None:
    assert _one(_ok(cli("trust", "list", "--json"))) == []
    outputs = [_one(_ok(cli("trust", "show", "--json")))]
    authority = make_authority()
    keys = _one(_ok(cli("trust", "list", "--json")))
    assert len(keys) == 1

    folder, entry = tmp_path / "root", tmp_path / "KE.entry.json"
    draft, final = tmp_path / "draft.json", tmp_path / "list.json"
    _ok(cli("trust", "root-init", "--keys", "1", "--threshold", "1", "--out", folder))
    root, root_key = folder / "root.json", next(folder.glob("*.key.pem"))
    _ok(cli("trust", "propose-key", authority.files.certificate, "--party", "KE", "--out", entry))
    expires = (dt.date.today() + dt.timedelta(days=200)).isoformat()
    _ok(cli("trust", "draft", entry, "--expires", expires, "--out", draft))
    outputs.append(_one(_ok(cli("trust", "show", draft, "--json"))))
    _ok(cli("trust", "sign", draft, "--key", root_key))
    _ok(cli("trust", "publish", draft, "--out", final, "--root", root))
    outputs.append(_one(_ok(cli("trust", "show", root, "--json"))))
    _ok(cli("trust", "init-root", root))
    outputs.append(_one(_ok(cli("trust", "show", "--json"))))  # a root, no list yet: a problem
    _ok(cli("trust", "update", final))
    outputs.append(_one(_ok(cli("trust", "show", "--json"))))

    assert [output.get("mode") for output in outputs] == ["development", None, None, "signed", "signed"]
    assert outputs[3]["problem"] and outputs[4]["problem"] is None and outputs[4]["trust_list"]["keys"]
    assert_documented([*outputs, keys])


def test_registry_lookup_and_info(cli: Cli) -> None:
    outputs = [_one(_ok(cli("registry", "info", "--json")))]
    for query in (
        ["Manis javanica"],
        ["Loxodonta africana", "--origin", "BW", "--at", "2020-01-01"],
        ["Manis javanicus"],
    ):
        outputs.append(_one(_ok(cli("registry", "lookup", *query, "--json"))))
    assert outputs[1]["appendix"] == "I" and outputs[3]["accepted_name"] is None and outputs[3]["suggestions"]
    assert_documented(outputs)


def test_fields_no_run_shows_are_documented_too() -> None:
    """Every permit field (optional ones too), every alert kind and the ``read`` check id; and the README points
    to docs/JSON.md."""
    known = _backticked(JSON_DOC)
    permit_fields = PERMIT_FIELDS | TRADER_FIELDS | LINE_FIELDS | REFERENCE_FIELDS | MARK_FIELDS | QUOTA_FIELDS
    assert permit_fields | REPLACEMENT_FIELDS <= known
    assert {str(kind) for kind in AlertKind} <= known
    assert "read" in known and "| `read` |" in JSON_DOC.read_text(encoding="utf-8")
    assert "docs/JSON.md" in README.read_text(encoding="utf-8")
