"""Ledger fixtures: every ledger test runs against SQLite and against a real PostgreSQL server that this
conftest starts (initdb + pg_ctl in a temporary folder, as the ``postgres`` user when running as root).
PostgreSQL tests skip, with the reason, only where no server binaries are installed."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


def _server_binaries() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.insert(0, str(Path(on_path).parent))
    return next((Path(c) for c in candidates if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server for this test session; yields its base URL."""
    binaries = _server_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    # Directly under /tmp (not pytest's 0700 folders) so the postgres user can reach it when we are root.
    base = Path(tempfile.mkdtemp(prefix="cites-postgres-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root but there is no 'postgres' user to run the server as")
        for path in (base, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    port = _free_port()
    subprocess.run(
        _as_server_user([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
    log = base / "server.log"
    subprocess.run(
        _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


def _new_database(server: str) -> str:
    import psycopg

    name = f"ledger_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(server.replace("+psycopg", "") + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@pytest.fixture(params=BACKENDS)
def ledger_url(request: pytest.FixtureRequest, cites_home: Path) -> str:
    """A fresh, empty ledger on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{cites_home / 'ledger-test.sqlite'}"
    return _new_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def new_database(request: pytest.FixtureRequest, cites_home: Path) -> object:
    """A factory for further fresh ledgers on the same backend as ``ledger_url`` (several posts)."""

    def make(kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{cites_home / f'{name}.sqlite'}"
        return _new_database(request.getfixturevalue("postgres_server"))

    return make
