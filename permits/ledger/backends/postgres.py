"""The shared multi-post ledger: PostgreSQL through psycopg 3 (``postgresql://`` or ``postgresql+psycopg://``).

Writers are serialised where it matters by the database itself: the unique key on a permit's Party and number
(one use), and a row lock on the event chain's head.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

DRIVER_PREFIX = "postgresql+psycopg://"


class PostgresBackend:
    name = "postgresql"

    def accepts(self, url: str) -> bool:
        return url.startswith(("postgresql://", "postgres://", DRIVER_PREFIX))

    def engine(self, url: str) -> Engine:
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                url = DRIVER_PREFIX + url[len(plain) :]
        return create_engine(url, pool_pre_ping=True, isolation_level="READ COMMITTED")
