"""Hostile local files, settings and arguments (the stop-13 traceback hunt): each is one ``error:`` line with
its exit code, or a verdict, never a traceback or a hang."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from keys.trust.local import STORE_FORMAT, STORE_VERSION
from tests.conftest import CliResult, MakeAuthority

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
