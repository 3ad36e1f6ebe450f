"""The usage ledger: which permits were used (Box 14), what was issued, and an audit trail of who did what.

``open_ledger`` picks the backend from the location: ``--db URL`` or ``CITES_DB_URL`` (PostgreSQL, shared by
many posts), else the embedded SQLite file ``CITES_HOME/ledger.sqlite`` (one post).
"""

from __future__ import annotations

import os
from pathlib import Path

from permits.home import cites_home, state_path
from permits.ledger.backends.interface import Backend
from permits.ledger.backends.postgres import PostgresBackend
from permits.ledger.backends.sqlite import SqliteBackend
from permits.ledger.interface import LedgerError
from permits.ledger.sql import SqlLedger

DB_URL_ENV = "CITES_DB_URL"
SQLITE_NAME = "ledger.sqlite"
BACKENDS: tuple[Backend, ...] = (SqliteBackend(), PostgresBackend())


def configured_url(url: str | None = None) -> str | None:
    """The ledger URL given on the command line or in ``CITES_DB_URL``, if any."""
    return url or os.environ.get(DB_URL_ENV) or None


def ledger_exists(url: str | None = None) -> bool:
    """True when a ledger is configured or this post already has its embedded one (verify then consults it)."""
    return configured_url(url) is not None or (cites_home() / SQLITE_NAME).exists()


def open_ledger(url: str | None = None) -> SqlLedger:
    """Open (creating and migrating as needed) the configured ledger."""
    location = configured_url(url)
    if location is None:
        path: Path = state_path(SQLITE_NAME)
        location = f"sqlite:///{path}"
    backend = next((candidate for candidate in BACKENDS if candidate.accepts(location)), None)
    if backend is None:
        raise LedgerError(f"ledger URL '{_safe(location)}' is neither sqlite:/// nor postgresql://")
    return SqlLedger(backend.engine(location), _safe(location))


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
