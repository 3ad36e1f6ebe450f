"""The ledger's tables and their versioned migrations (SQLAlchemy Core; the same schema on SQLite and
PostgreSQL).

``schema_version`` holds the version applied; ``MIGRATIONS[n]`` brings version n to n + 1. Migrations run in
one transaction at open, so a ledger is never half-migrated. Add a migration; never edit an applied one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

uses = Table(
    "uses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("party", String(2), nullable=False),
    Column("number", String(64), nullable=False),
    Column("port", String(200), nullable=False),
    Column("officer", String(200), nullable=False),
    Column("endorsed_at", String(32), nullable=False),
    Column("post", String(200), nullable=False),
    Column("quantities", Text, nullable=False),
    UniqueConstraint("party", "number", name="one_use_per_permit"),
)

double_uses = Table(
    "double_uses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("party", String(2), nullable=False),
    Column("number", String(64), nullable=False),
    Column("use", Text, nullable=False),
    Column("found_at", String(32), nullable=False),
    UniqueConstraint("party", "number", "use", name="one_alert_per_second_use"),
)

issued = Table(
    "issued",
    metadata,
    Column("party", String(2), nullable=False),
    Column("number", String(64), nullable=False),
    Column("security_stamp", String(64)),
    Column("issued_on", String(10), nullable=False),
    Column("kid", String(16), nullable=False),
    Column("payload_hash", String(64), nullable=False),
    UniqueConstraint("party", "number", name="one_permit_per_number"),
    UniqueConstraint("party", "security_stamp", name="one_permit_per_stamp"),
)

events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("document", String(80), nullable=False),
    Column("details", Text, nullable=False),
)

chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

GENESIS_HASH = "0" * 64


def _create_version_1(connection: Connection) -> None:
    metadata.create_all(connection, tables=[uses, double_uses, issued, events, chain_head])
    connection.execute(insert(chain_head).values(id=1, seq=0, hash=GENESIS_HASH))


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_create_version_1,)
"""MIGRATIONS[n] upgrades a ledger at version n to n + 1."""

CURRENT_VERSION = len(MIGRATIONS)


def migrate(connection: Connection) -> int:
    """Bring the schema to ``CURRENT_VERSION`` inside the caller's transaction; returns the version found."""
    metadata.create_all(connection, tables=[schema_version])
    found = connection.execute(select(schema_version.c.version)).scalar()
    if found is None:
        connection.execute(insert(schema_version).values(version=0))
        found = 0
    if found > CURRENT_VERSION:
        raise RuntimeError(f"ledger schema version {found} is newer than this tool ({CURRENT_VERSION})")
    for version in range(found, CURRENT_VERSION):
        MIGRATIONS[version](connection)
    connection.execute(update(schema_version).values(version=CURRENT_VERSION))
    return int(found)
