"""The usage ledger: which permits were used (Box 14), what was issued, and an audit trail of who did what.

``open_ledger`` picks the backend from the location: ``--db URL`` or ``CITES_DB_URL`` (PostgreSQL, shared by
many posts), else the embedded SQLite file ``CITES_HOME/ledger.sqlite`` (one post). SQLAlchemy is imported only
when a ledger is opened, so commands that never touch one (``cites --help``, a verification on a machine
without a ledger) do not pay for it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from permits.errors import LedgerError
from permits.home import cites_home, state_path

if TYPE_CHECKING:
    from sqlalchemy import URL

    from permits.ledger.interface import Ledger

DB_URL_ENV = "CITES_DB_URL"
SQLITE_NAME = "ledger.sqlite"


def configured_url(url: str | None = None) -> str | None:
    """The ledger URL given on the command line or in ``CITES_DB_URL``, if any."""
    return url or os.environ.get(DB_URL_ENV) or None


def ledger_url(url: str | None = None) -> str:
    """The URL of the ledger in use: the configured one, else this post's embedded SQLite file."""
    return configured_url(url) or f"sqlite:///{state_path(SQLITE_NAME)}"


def ledger_exists(url: str | None = None) -> bool:
    """True when a ledger is configured or this post already has its embedded one (verify then consults it)."""
    return configured_url(url) is not None or (cites_home() / SQLITE_NAME).exists()


def open_ledger(url: str | None = None, *, existing: bool = False, create_named: bool = True) -> Ledger:
    """Open (creating and migrating as needed) the configured ledger; with ``existing``, a SQLite file that is
    not there is an error instead of a new empty ledger (for commands that only read, or check, a ledger). A
    location that can hold no ledger (a folder named instead of the file in it) is an error either way.

    Without ``create_named`` (the commands that write: issue, endorse, revoke, import) only the post's own
    ledger (``CITES_HOME/ledger.sqlite``) is created on first use; a SQLite ledger named with ``--db`` or
    ``CITES_DB_URL`` must exist (``cites ledger init`` creates it): a mistyped name would be a new, empty ledger
    in which no permit was ever used or issued, so a second use or a second number would pass.

    A relative ``sqlite:///FILE`` is relative to the working directory, ``sqlite:////FILE`` is absolute."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    from permits.ledger.backends.interface import Backend
    from permits.ledger.backends.postgres import PostgresBackend
    from permits.ledger.backends.sqlite import SqliteBackend
    from permits.ledger.sql import SqlLedger

    location = ledger_url(url)
    try:
        parsed = make_url(location)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise LedgerError("the ledger URL is not a database URL (sqlite:///FILE or postgresql://...)") from None
    if (host := _unresolvable_host(parsed)) is not None:
        raise LedgerError(f"ledger URL: '{host}' is not a host name (each dot-separated label has 1 to 63 characters)")
    backends: tuple[Backend, ...] = (SqliteBackend(), PostgresBackend())
    backend = next((candidate for candidate in backends if candidate.accepts(parsed)), None)
    if backend is None:
        shown = parsed.render_as_string(hide_password=True)
        raise LedgerError(f"ledger URL '{shown}' is neither sqlite:///FILE nor postgresql://...")
    if problem := backend.missing(parsed) if existing else backend.unusable(parsed):  # for every command alike
        raise LedgerError(f"{problem} (give --db or set {DB_URL_ENV} to use another ledger)")
    if not create_named and configured_url(url) is not None and (problem := backend.missing(parsed)):
        raise LedgerError(
            f"{problem}; a ledger named with --db or {DB_URL_ENV} is not created by this command (a mistyped name "
            "would be a new, empty ledger): check the name, or create it with 'cites ledger init'"
        )
    return SqlLedger(backend, parsed)


def _unresolvable_host(url: URL) -> str | None:
    """A host name of ``url`` (its host, or a ``host`` query parameter; a socket folder is no host name) that no
    resolver takes, as a label over 63 characters: the resolver raises ``UnicodeError``, not a connection error.
    None if there is none."""
    query = url.query.get("host", ())
    names = [url.host or "", *((query,) if isinstance(query, str) else query)]
    for name in (part for value in names for part in value.split(",") if not part.startswith("/")):
        try:
            name.encode("idna")
        except UnicodeError:
            return name
    return None
