"""The embedded single-post ledger: one SQLite file in WAL mode, foreign keys on.

A writing transaction starts with ``BEGIN IMMEDIATE``, so writers queue on the database lock (up to the busy
timeout) instead of failing when a read turns into a write, and the whole transaction, schema migrations
included, is serialised; reading connections (``READ_ONLY``) start a plain ``BEGIN`` and never wait for
writers (WAL). ``synchronous=FULL`` makes each commit durable before it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event

from permits.errors import LedgerError
from permits.fileio import path_exists
from permits.ledger.backends.interface import READ_ONLY

BUSY_TIMEOUT_MS = 30_000
PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}")


class SqliteBackend:
    def accepts(self, url: URL) -> bool:
        return url.get_backend_name() == "sqlite"

    def engine(self, url: URL) -> Engine:
        path = _ledger_file(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def configure(connection: Any, _record: Any) -> None:
            connection.isolation_level = None  # the "begin" hook below issues BEGIN itself
            cursor = connection.cursor()
            for pragma in PRAGMAS:
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def begin(connection: Connection) -> None:
            read_only = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine

    def unusable(self, url: URL) -> str | None:
        path = _ledger_file(url)
        there = path_exists(path)  # first: a path that cannot be looked up (a name too long) is named as such
        if (there and path.is_dir()) or str(url.database).endswith("/"):  # sqlite:///posts/, not .../ledger.sqlite
            return f"no ledger at {path}: it is a folder; name the ledger file in it (sqlite:///FOLDER/ledger.sqlite)"
        if there and not path.is_file():
            return f"no ledger at {path}: not a regular file (a device, pipe or socket)"
        return None

    def missing(self, url: URL) -> str | None:
        path = _ledger_file(url)
        if (unusable := self.unusable(url)) is not None:
            return unusable
        return None if path_exists(path) else f"no ledger at {path}: nothing was issued, endorsed or imported there yet"

    def lock_schema(self, connection: Connection) -> None:
        """Nothing to add: the migrating transaction began IMMEDIATE and holds the write lock."""


def _ledger_file(url: URL) -> Path:
    """The file a SQLite ledger URL names; ``LedgerError`` for what cannot hold a ledger."""
    if not url.database or url.database == ":memory:":
        raise LedgerError("an in-memory SQLite ledger would forget every use: give a file, sqlite:///FILE")
    if url.query:
        raise LedgerError(f"a SQLite ledger URL takes no options ({', '.join(url.query)}): sqlite:///FILE")
    return Path(url.database).expanduser()
