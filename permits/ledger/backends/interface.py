"""What a backend provides: an engine whose transactions serialise writers the way the ledger needs."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import URL, Connection, Engine

READ_ONLY = "cites_ledger_read_only"
"""Execution option ``permits.ledger.sql`` sets on connections that only read (a backend may then lock less)."""


class Backend(Protocol):
    """A kind of database the ledger can live in."""

    def accepts(self, url: URL) -> bool:
        """True when ``url`` names a database of this kind."""
        ...

    def engine(self, url: URL) -> Engine:
        """A configured engine for ``url``."""
        ...

    def unusable(self, url: URL) -> str | None:
        """Why ``url`` can hold no ledger at all, not even a new one (a folder where the file should be), or None."""
        ...

    def missing(self, url: URL) -> str | None:
        """Why ``url`` cannot hold an existing ledger (a file not there, or ``unusable``), or None when it may."""
        ...

    def lock_schema(self, connection: Connection) -> None:
        """Serialise schema migrations: hold a lock until the caller's transaction ends."""
        ...
