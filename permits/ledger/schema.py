"""The ledger's tables and their versioned migrations (SQLAlchemy Core; the same schema on SQLite and
PostgreSQL).

``schema_version`` holds the version applied; ``MIGRATIONS[n]`` brings version n to n + 1. The tool migrates
at open, in one transaction under a lock (``Backend.lock_schema``), so a ledger is never half-migrated and two
posts opening a new database at once do not both create it. Add a migration; never edit an applied one (a
migration names the tables as they were at its version: ``uses_version_1``, ``issued_version_1`` and
``double_uses`` below are version 1's; the migrations that key the register read version 1's columns and the
key's, ``_keyed_register``).

Why not Alembic: the schema is small and owned by the tool, which must migrate itself on every post without
an operator running a separate command or shipping a migration folder; ordered functions in one module do
that with no extra dependency, identically on both databases.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.schema import SchemaItem

from permits.errors import LedgerError
from permits.identifiers import mark_key, number_key
from permits.ledger.interface import (
    GENESIS_HASH,
    Alert,
    AlertKind,
    Issued,
    canonical,
    document_name,
    register_clash,
)

metadata = MetaData()

MIGRATION_ALERT_SOURCE = "version "
"""How the ``source`` of an alert a migration found starts: ``version N``, the schema it was found in."""

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))


def _use_columns() -> list[SchemaItem]:
    """The columns and keys of ``uses`` as version 1 made them (the current table adds ``imported_seq``)."""
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("party", String(2), nullable=False),
        Column("number", String(64), nullable=False),
        Column("port", String(200), nullable=False),
        Column("officer", String(200), nullable=False),
        Column("endorsed_at", String(32), nullable=False),
        Column("post", String(200), nullable=False),
        Column("quantities", Text, nullable=False),
        UniqueConstraint("party", "number", name="one_use_per_permit"),
    ]


IMPORTED_SEQ = "imported_seq"
"""The column of ``uses`` and ``issued`` naming the ``import`` entry of the audit trail that added the row
(NULL for a row this ledger wrote itself, which its own ``endorse`` or ``issue`` entry records)."""

uses = Table("uses", metadata, *_use_columns(), Column(IMPORTED_SEQ, Integer))


def _issued_columns() -> list[SchemaItem]:
    """The register's columns and keys as version 1 made them (the current table adds ``stamp_key`` and
    ``number_key``)."""
    return [
        Column("party", String(2), nullable=False),
        Column("number", String(64), nullable=False),
        Column("security_stamp", String(64)),
        Column("issued_on", String(10), nullable=False),
        Column("kid", String(16), nullable=False),
        Column("payload_hash", String(64), nullable=False),
        UniqueConstraint("party", "number", name="one_permit_per_number"),
        UniqueConstraint("party", "security_stamp", name="one_permit_per_stamp"),
    ]


issued = Table(
    "issued",
    metadata,
    *_issued_columns(),
    Column("stamp_key", Text),
    Column(IMPORTED_SEQ, Integer),
    Column("number_key", Text),
)
"""The issuing register; ``stamp_key`` is the security stamp as compared and ``number_key`` the permit number as
compared (``permits.identifiers``): text of any length, as compatibility normalisation can make a key longer
than what it keys."""
one_permit_per_stamp_key = Index("one_permit_per_stamp_key", issued.c.party, issued.c.stamp_key, unique=True)
one_permit_per_number_key = Index("one_permit_per_number_key", issued.c.party, issued.c.number_key, unique=True)


@dataclass(frozen=True)
class RegisterKey:
    """A column of ``issued`` keeping what one column of each entry is as compared (``permits.identifiers``),
    unique per Party: ``cites issue`` refuses a second entry with the key, a migration keys every entry again
    when the comparison changes, and ``ledger check`` recomputes it."""

    field: str
    """The column as written (``security_stamp``, ``number``)."""
    column: str
    """The column as compared (``stamp_key``, ``number_key``), NULL where the entry has no key."""
    compare: Callable[[str], str | None]
    """The key of a value as written; None when it has none (it is then compared as written)."""
    clash: AlertKind
    """The alert of a second entry with the key."""
    name: str
    """What the column holds, for messages (``security stamp``)."""
    noun: str
    """The same in one word (``stamp``)."""

    def of(self, written: str | None) -> str | None:
        """The key of a value as written (None for none)."""
        return None if written is None else self.compare(written)


NUMBER_KEY = RegisterKey("number", "number_key", number_key, AlertKind.DUPLICATE_NUMBER, "permit number", "number")
STAMP_KEY = RegisterKey("security_stamp", "stamp_key", mark_key, AlertKind.REUSED_STAMP, "security stamp", "stamp")
REGISTER_KEYS = (NUMBER_KEY, STAMP_KEY)
"""The register's keys, the number first (a clash on both is a number issued twice)."""


def _audit_entry_columns() -> list[Column[object]]:
    """The columns of one hash-chained audit entry after its sequence number (FORMAT.md section 11.2), shared by
    this post's trail and the trails imported from other posts."""
    return [
        Column("prev_hash", String(64), nullable=False),
        Column("entry_hash", String(64), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("at", String(32), nullable=False),
        Column("action", String(32), nullable=False),
        Column("document", String(80), nullable=False),
        Column("details", Text, nullable=False),
    ]


events = Table(
    "events", metadata, Column("seq", Integer, primary_key=True, autoincrement=False), *_audit_entry_columns()
)

chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("document", String(200), nullable=False),
    Column("first", Text, nullable=False),
    Column("second", Text, nullable=False),
    Column("source", String(200), nullable=False),
    Column("found_at", String(32), nullable=False),
    Column("fingerprint", String(64), nullable=False, unique=True),
)

post_events = Table(
    "post_events",
    metadata,
    Column("signer", String(64), nullable=False),
    Column("post", String(200), nullable=False),
    Column("seq", Integer, nullable=False),
    *_audit_entry_columns(),
    UniqueConstraint("signer", "seq", name="one_entry_per_post_seq"),
)

_version_1 = MetaData()
uses_version_1 = Table("uses", _version_1, *_use_columns())
issued_version_1 = Table("issued", _version_1, *_issued_columns())
double_uses = Table(
    "double_uses",
    _version_1,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("party", String(2), nullable=False),
    Column("number", String(64), nullable=False),
    Column("use", Text, nullable=False),
    Column("found_at", String(32), nullable=False),
    UniqueConstraint("party", "number", "use", name="one_alert_per_second_use"),
)


def _version_1_tables(connection: Connection) -> None:
    """Uses, the issuing register, the event log and its head, and double uses found at import."""
    metadata.create_all(connection, tables=[events, chain_head])
    _version_1.create_all(connection)
    connection.execute(insert(chain_head).values(id=1, seq=0, hash=GENESIS_HASH))


def _version_2_alerts_and_post_events(connection: Connection) -> None:
    """One ``alerts`` table for every kind of contradiction (double uses move there); ``post_events`` keeps
    the audit entries other posts export."""
    metadata.create_all(connection, tables=[alerts, post_events])
    for row in connection.execute(select(double_uses).order_by(double_uses.c.id)).all():
        held = connection.execute(
            select(uses_version_1).where(
                and_(uses_version_1.c.party == row.party, uses_version_1.c.number == row.number)
            )
        ).one()
        first = {**held._asdict(), "quantities": json.loads(held.quantities)}
        del first["id"]
        alert = Alert(
            AlertKind.DOUBLE_USE, f"{row.party} {row.number}", first, json.loads(row.use), f"{MIGRATION_ALERT_SOURCE}1"
        )
        connection.execute(insert(alerts).values(alert_values(alert, row.found_at)))
    double_uses.drop(connection)


def _version_3_stamp_keys(connection: Connection) -> None:
    """Security stamps are compared as ``permits.identifiers`` says (``S-1`` and ``s 1`` are one stamp): the
    register gets ``stamp_key``, unique per Party."""
    connection.execute(text("ALTER TABLE issued ADD COLUMN stamp_key VARCHAR(64)"))
    _key_entries(connection, STAMP_KEY, f"{MIGRATION_ALERT_SOURCE}2")
    one_permit_per_stamp_key.create(connection)


def _version_4_stamp_keys_of_letters_and_digits(connection: Connection) -> None:
    """Stamps are compared by their letters and digits after Unicode normalisation (a Unicode hyphen, a
    zero-width space or full-width digits no longer make a new stamp): every entry is keyed again, in a
    column of unbounded text (version 3 made it VARCHAR(64) on PostgreSQL; SQLite never bounds it)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE issued ALTER COLUMN stamp_key TYPE TEXT"))
    _key_stamps_again(connection, f"{MIGRATION_ALERT_SOURCE}3")


def _version_5_stamp_keys_case_folded(connection: Connection) -> None:
    """Stamps are compared by their compatibility case fold (version 4 upper-cased after picking the letters,
    so a case variant could keep a combining mark): every entry is keyed again."""
    _key_stamps_again(connection, f"{MIGRATION_ALERT_SOURCE}4")


def _version_6_imported_rows_and_digits(connection: Connection) -> None:
    """Uses and register rows an import adds name its audit-trail entry (``imported_seq``), whose details keep
    a digest of them: ``ledger check`` then sees an imported row deleted or edited later. And stamps compare
    the decimal digits of every script as 0-9: every entry is keyed again."""
    _key_stamps_again(connection, f"{MIGRATION_ALERT_SOURCE}5")
    for table in ("uses", "issued"):
        connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {IMPORTED_SEQ} INTEGER"))
        connection.execute(text(f"CREATE INDEX {table}_by_import ON {table} ({IMPORTED_SEQ})"))


def _version_7_stamp_keys_of_latin_look_alikes(connection: Connection) -> None:
    """Letters of other scripts that look like Latin letters count as those (a Cyrillic Es as C): every entry is
    keyed again."""
    _key_stamps_again(connection, f"{MIGRATION_ALERT_SOURCE}6")


def _version_8_number_keys(connection: Connection) -> None:
    """Permit numbers are compared by their parts (``KE/2026/1``, ``ke-2026-1`` and ``KE 2026 1`` with a Cyrillic
    Ka are one number, ``KE/1/23`` and ``KE/12/3`` two): the register gets ``number_key``, unique per Party."""
    connection.execute(text("ALTER TABLE issued ADD COLUMN number_key TEXT"))
    _key_entries(connection, NUMBER_KEY, f"{MIGRATION_ALERT_SOURCE}7")
    one_permit_per_number_key.create(connection)


def _version_9_keys_as_the_audit_compares(connection: Connection) -> None:
    """Numbers and stamps are compared as the batch audit compares them (``permits.identifiers.number_key`` and
    ``mark_key``): leading zeros of each run of digits, invisible characters (the combining grapheme joiner, a
    Hangul filler) and separators beside letters no longer make a new number or stamp (``KE/2026/0001`` and
    ``KE2026/1`` are ``KE/2026/1``, ``S-0042`` is ``S-42``): every entry is keyed again, numbers first."""
    _key_again(connection, NUMBER_KEY, one_permit_per_number_key, f"{MIGRATION_ALERT_SOURCE}8")
    _key_again(connection, STAMP_KEY, one_permit_per_stamp_key, f"{MIGRATION_ALERT_SOURCE}8")


def _key_stamps_again(connection: Connection, version_name: str) -> None:
    _key_again(connection, STAMP_KEY, one_permit_per_stamp_key, version_name)


def _key_again(connection: Connection, key: RegisterKey, unique: Index, version_name: str) -> None:
    """Key every register entry again (``key``) when its comparison changed; an entry that newly clashes keeps
    no key and becomes an alert from ``version_name`` (``_key_entries``)."""
    unique.drop(connection)
    connection.execute(update(_keyed_register(key)).values({key.column: None}))
    _key_entries(connection, key, version_name)
    unique.create(connection)


def _keyed_register(key: RegisterKey) -> Table:
    """The register as a migration keying it reads it: version 1's columns and the key's."""
    return Table("issued", MetaData(), *_issued_columns(), Column(key.column, Text))


def _key_entries(connection: Connection, key: RegisterKey, version_name: str) -> None:
    """Give each register entry its key (``key``), in issue order (issue date, then number). An entry whose
    stamp or number an earlier entry already has under the comparison keeps no key, and becomes a ``key.clash``
    alert from ``version_name`` (the entry stays, as evidence)."""
    table = _keyed_register(key)
    entries = connection.execute(select(table).order_by(table.c.issued_on, table.c.number)).all()
    holders: dict[tuple[str, str], Issued] = {}
    for row in entries:
        try:
            record = Issued.from_json(row._asdict())
        except ValueError as error:  # edited into a row the tool could not have written: it cannot be keyed
            document = document_name(row.party, row.number)
            raise LedgerError(
                f"register entry {document} is unreadable ({error}); the ledger cannot be upgraded"
            ) from None
        compared = key.of(row._mapping[key.field])
        if compared is None:
            continue
        holder = holders.setdefault((record.party, compared), record)
        if holder is not record:
            alert = register_clash(key.clash, holder, record, version_name)
            known = select(alerts.c.id).where(alerts.c.fingerprint == alert.fingerprint())
            if connection.execute(known).first() is None:  # found by an earlier migration
                connection.execute(insert(alerts).values(alert_values(alert, dt.datetime.now(dt.UTC).isoformat())))
            continue
        connection.execute(
            update(table)
            .where(and_(table.c.party == record.party, table.c.number == record.number))
            .values({key.column: compared})
        )


def alert_values(alert: Alert, found_at: str) -> dict[str, str]:
    """The ``alerts`` row of an alert (its fingerprint keeps a re-imported alert from being stored twice)."""
    return {"kind": alert.kind, "document": alert.document[:200], "first": canonical(alert.first),
            "second": canonical(alert.second), "source": alert.source[:200], "found_at": found_at,
            "fingerprint": alert.fingerprint()}  # fmt: skip


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _version_1_tables,
    _version_2_alerts_and_post_events,
    _version_3_stamp_keys,
    _version_4_stamp_keys_of_letters_and_digits,
    _version_5_stamp_keys_case_folded,
    _version_6_imported_rows_and_digits,
    _version_7_stamp_keys_of_latin_look_alikes,
    _version_8_number_keys,
    _version_9_keys_as_the_audit_compares,
)
"""MIGRATIONS[n] upgrades a ledger at version n to n + 1."""

CURRENT_VERSION = len(MIGRATIONS)


def version(connection: Connection) -> int:
    """The schema version of the database (0 for an empty one)."""
    if not inspect(connection).has_table(schema_version.name):
        return 0
    return int(connection.execute(select(schema_version.c.version)).scalar() or 0)


def migrate(connection: Connection) -> int:
    """Bring the schema to ``CURRENT_VERSION`` inside the caller's (locked) transaction; the version found
    (0 for a new ledger, ``CURRENT_VERSION`` when another post migrated it meanwhile)."""
    found = version(connection)
    if found > CURRENT_VERSION:
        raise LedgerError(f"the ledger's schema is version {found}, newer than this tool's ({CURRENT_VERSION})")
    if found == 0:
        metadata.create_all(connection, tables=[schema_version])
        connection.execute(insert(schema_version).values(version=0))
    for step in MIGRATIONS[found:]:
        step(connection)
    connection.execute(update(schema_version).values(version=CURRENT_VERSION))
    return found
