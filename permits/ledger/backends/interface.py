"""What a backend provides: an engine whose transactions serialise writers the way the ledger needs."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine


class Backend(Protocol):
    """A kind of database the ledger can live in."""

    name: str

    def accepts(self, url: str) -> bool: ...

    def engine(self, url: str) -> Engine:
        """A configured engine; raises ``LedgerError`` with a one-line reason when it cannot be made."""
        ...
