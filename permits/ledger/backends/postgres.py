"""The shared multi-post ledger: PostgreSQL through psycopg 3 (``postgresql://``, ``postgres://`` or
``postgresql+psycopg://``).

Writers are serialised where it matters by the database itself: the unique key on a permit's Party and number
(one use), and a row lock on the event chain's head (``SELECT ... FOR UPDATE``; under READ COMMITTED a waiting
writer then reads the head its predecessor committed). Migrations hold a transaction-level advisory lock.
"""

from __future__ import annotations

from sqlalchemy import URL, Connection, Engine, create_engine, text

SCHEMA_LOCK = 0x43_49_54_45_53  # "CITES": the advisory lock key for migrations


class PostgresBackend:
    def accepts(self, url: URL) -> bool:
        return url.get_backend_name() in ("postgresql", "postgres")

    def engine(self, url: URL) -> Engine:
        return create_engine(
            url.set(drivername="postgresql+psycopg"), pool_pre_ping=True, isolation_level="READ COMMITTED"
        )

    def unusable(self, url: URL) -> str | None:
        """Whether the server takes the URL is known only on connecting."""
        return None

    def missing(self, url: URL) -> str | None:
        """A server database may hold the ledger's tables or get them on first use: never missing."""
        return None

    def lock_schema(self, connection: Connection) -> None:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
