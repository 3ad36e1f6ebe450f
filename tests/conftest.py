"""Shared fixtures: an isolated CITES_HOME per test, a passphrase, Management Authority keys, the CLI runner."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from keys.keyfile import KeyFiles, SigningKey, generate_key, load_public_key, load_signing_key
from keys.passphrase import passphrase_from_environment_or_prompt
from keys.trust.local import LocalTrustStore
from permits.envelope.algorithms import Algorithm
from permits.model import Permit

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"
EXAMPLE_PERMITS = sorted(path.name for path in EXAMPLES.glob("*.yaml"))
"""Every example permit description (``examples/*.yaml``): each test of the examples covers them all."""
SHARED = REPO_ROOT.parent / "shared"
PASSPHRASE = "test-passphrase-123"


@pytest.fixture(autouse=True)
def cites_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty state directory and a known key passphrase."""
    home = tmp_path / "cites-home"
    monkeypatch.setenv("CITES_HOME", str(home))
    monkeypatch.setenv("CITES_KEY_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("CITES_DB_URL", raising=False)
    return home


@dataclass(frozen=True)
class Authority:
    """A Management Authority's key files and loaded signing key."""

    files: KeyFiles
    key: SigningKey


MakeAuthority = Callable[..., Authority]


@pytest.fixture
def make_authority(tmp_path: Path) -> MakeAuthority:
    """Create a key for a Party; ``trusted`` adds it to the local trust store."""

    def make(party: str = "KE", authority: str = "Kenya Wildlife Service", algorithm: Algorithm = Algorithm.ES256,
             trusted: bool = True) -> Authority:  # fmt: skip
        files = generate_key(party, authority, algorithm, tmp_path / "keys", passphrase_from_environment_or_prompt)
        if trusted:
            store = LocalTrustStore.load()
            store.add(load_public_key(files.certificate), party, authority)
            store.save()
        return Authority(files, load_signing_key(files.private, passphrase_from_environment_or_prompt))

    return make


def example_mapping(name: str) -> dict[str, object]:
    """An example permit description as a dict (to edit before building a permit)."""
    data = yaml.safe_load((EXAMPLES / name).read_text())
    assert isinstance(data, dict)
    return data


def example_permit(name: str = "zoo-transfer-app1.yaml", today: dt.date | None = None, **changes: object) -> Permit:
    data = example_mapping(name)
    data.update(changes)
    return Permit.from_mapping(data, today=today)


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., CliResult]]:
    """Run ``cites`` in-process with the given arguments (and optional stdin text)."""
    import io

    from cli.main import main

    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str, stdin: str | None = None) -> CliResult:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    yield run


def run_walkthrough(script: Path, work: Path) -> str:
    """Run an examples/ walkthrough with this venv in ``work`` (no inherited home or passphrase); its output,
    after asserting that it exited 0 and reported no FAIL."""
    env = {key: value for key, value in os.environ.items() if key not in ("CITES_HOME", "CITES_KEY_PASSPHRASE")}
    result = subprocess.run(
        ["bash", str(script), str(Path(sys.executable).parent), str(work)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "FAIL" not in result.stdout
    return result.stdout
