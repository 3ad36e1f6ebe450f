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
from collections.abc import Callable, Iterator
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
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data)]
    try:
        for command in (
            [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
            [*pg_ctl, "-o", options, "-l", str(base / "server.log"), "-w", "start"],
        ):
            done = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
            if done.returncode != 0:
                pytest.fail(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([*pg_ctl, "-m", "immediate", "stop"]), capture_output=True, check=False)
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
        cites_home.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{cites_home / 'ledger-test.sqlite'}"
    return _new_database(request.getfixturevalue("postgres_server"))


NewDatabase = Callable[[str], str]


@pytest.fixture
def sqlite_post(cites_home: Path) -> NewDatabase:
    """A factory for further SQLite ledgers (offline posts), by name: created, as ``cites ledger init`` does (a
    ledger named with ``--db`` must exist before a command writes to it)."""
    from permits.ledger import open_ledger

    def create(name: str) -> str:
        url = f"sqlite:///{cites_home / f'{name}.sqlite'}"
        open_ledger(url)
        return url

    return create
