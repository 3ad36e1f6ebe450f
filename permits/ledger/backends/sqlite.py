"""The embedded single-post ledger: one SQLite file in WAL mode.

Every transaction starts with ``BEGIN IMMEDIATE``, so writers queue on the database lock instead of failing
when a read turns into a write; ``synchronous=FULL`` makes each commit durable before it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url

BUSY_TIMEOUT_MS = 30_000


class SqliteBackend:
    name = "sqlite"

    def accepts(self, url: str) -> bool:
        return url.startswith("sqlite")

    def engine(self, url: str) -> Engine:
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def configure(connection: Any, _record: Any) -> None:
            connection.isolation_level = None  # let SQLAlchemy's "begin" hook below issue BEGIN itself
            cursor = connection.cursor()
            for pragma in (
                "journal_mode=WAL",
                "synchronous=FULL",
                "foreign_keys=ON",
                f"busy_timeout={BUSY_TIMEOUT_MS}",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def begin_immediate(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
