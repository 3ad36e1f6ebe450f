"""The ledger on SQLAlchemy: endorsements, the issuing register, imports, and the hash-chained event log.

Every operation is one transaction: the record and its event log entry are committed together or not at all,
so a process killed mid-way leaves either both or neither. Uniqueness (one use per permit, one number and
one security stamp per Party) is enforced by the database's unique keys; a losing writer gets the
winner's record in its refusal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Connection, Engine, and_, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from permits.ledger import schema
from permits.ledger.interface import (
    Alert,
    ChainReport,
    EndorsementRefused,
    Issued,
    LedgerError,
    RegistrationRefused,
    Use,
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(seq: int, prev_hash: str, actor: str, at: str, action: str, document: str, details: str) -> str:
    """SHA-256 over the canonical JSON array of an event's fields (docs/FORMAT.md, "Ledger events")."""
    fields = [seq, prev_hash, actor, at, action, document, details]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _use_from_row(row: Any) -> Use:
    return Use(
        party=row.party,
        number=row.number,
        port=row.port,
        officer=row.officer,
        endorsed_at=dt.datetime.fromisoformat(row.endorsed_at),
        post=row.post,
        quantities={int(line): Decimal(quantity) for line, quantity in json.loads(row.quantities).items()},
    )


def _use_values(use: Use) -> dict[str, Any]:
    return {
        "party": use.party,
        "number": use.number,
        "port": use.port,
        "officer": use.officer,
        "endorsed_at": use.endorsed_at.isoformat(timespec="seconds"),
        "post": use.post,
        "quantities": json.dumps(use.to_json()["quantities"], sort_keys=True),
    }


@dataclass
class ImportReport:
    """What an import changed."""

    new_uses: int = 0
    known_uses: int = 0
    new_issued: int = 0
    known_issued: int = 0
    alerts: list[Alert] = field(default_factory=list)


class SqlLedger:
    """A ledger in one database; ``location`` is shown in messages (never with a password)."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.location = location
        try:
            with self.engine.begin() as connection:
                schema.migrate(connection)
        except (SQLAlchemyError, RuntimeError) as error:
            raise LedgerError(f"ledger {location}: cannot open ({_reason(error)})") from None

    # -- the event log -------------------------------------------------------------------------------------

    def _append_event(self, connection: Connection, actor: str, action: str, document: str, details: Any) -> None:
        head = connection.execute(select(schema.chain_head).where(schema.chain_head.c.id == 1).with_for_update()).one()
        at, text = _now(), json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        seq = head.seq + 1
        digest = entry_hash(seq, head.hash, actor, at, action, document, text)
        connection.execute(
            insert(schema.events).values(
                seq=seq, prev_hash=head.hash, entry_hash=digest, actor=actor, at=at, action=action,
                document=document, details=text,
            )
        )  # fmt: skip
        connection.execute(update(schema.chain_head).where(schema.chain_head.c.id == 1).values(seq=seq, hash=digest))

    def record_event(self, actor: str, action: str, document: str, details: Any) -> None:
        """Append one event on its own (e.g. a revocation)."""
        with self._transaction() as connection:
            self._append_event(connection, actor, action, document, details)

    def check_chain(self) -> ChainReport:
        """Recompute every entry's hash and link; name the first entry that was altered, removed or inserted."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(schema.events).order_by(schema.events.c.seq)).all()
            head = connection.execute(select(schema.chain_head)).one()
        previous, expected_seq = schema.GENESIS_HASH, 1
        for row in rows:
            if row.seq != expected_seq:
                return ChainReport(len(rows), previous, expected_seq, f"entry {expected_seq} is missing")
            if row.prev_hash != previous:
                return ChainReport(
                    len(rows), previous, row.seq, f"entry {row.seq} does not link to entry {row.seq - 1}"
                )
            recomputed = entry_hash(row.seq, row.prev_hash, row.actor, row.at, row.action, row.document, row.details)
            if recomputed != row.entry_hash:
                return ChainReport(len(rows), previous, row.seq, f"entry {row.seq} was altered after it was written")
            previous, expected_seq = row.entry_hash, expected_seq + 1
        if (head.seq, head.hash) != (len(rows), previous):
            return ChainReport(
                len(rows), previous, len(rows) + 1, f"the chain head says {head.seq} entries; found {len(rows)}"
            )
        return ChainReport(len(rows), previous)

    # -- endorsements ---------------------------------------------------------------------------------------

    def endorse(self, use: Use, actor: str) -> Use:
        """Record a use; refuse (with the earlier use) a permit that was already used."""
        try:
            with self._transaction() as connection:
                connection.execute(insert(schema.uses).values(**_use_values(use)))
                self._append_event(connection, actor, "endorse", f"{use.party} {use.number}", use.to_json())
        except IntegrityError:
            earlier = self.use_of(use.party, use.number)
            where = earlier.describe() if earlier else "by another post"
            raise EndorsementRefused(f"permit {use.party} {use.number} was already used {where}", earlier) from None
        return use

    def use_of(self, party: str, number: str) -> Use | None:
        """The recorded use of a permit, if any."""
        try:
            with self.engine.connect() as connection:
                row = connection.execute(
                    select(schema.uses).where(and_(schema.uses.c.party == party, schema.uses.c.number == number))
                ).first()
        except SQLAlchemyError as error:
            raise LedgerError(f"ledger {self.location}: {_reason(error)}") from None
        return _use_from_row(row) if row else None

    # -- the issuing register -----------------------------------------------------------------------------------

    def register(self, record: Issued, actor: str) -> _Registration:
        """Start registering an issued permit; the caller commits it once the permit's files are written."""
        return _Registration(self, record, actor)

    def _insert_issued(self, connection: Connection, record: Issued) -> None:
        connection.execute(
            insert(schema.issued).values(
                party=record.party, number=record.number, security_stamp=record.security_stamp,
                issued_on=record.issued_on.isoformat(), kid=record.kid, payload_hash=record.payload_hash,
            )
        )  # fmt: skip

    def _registration_conflict(self, record: Issued) -> str:
        table = schema.issued
        with self.engine.connect() as connection:
            same_number = connection.execute(
                select(table).where(and_(table.c.party == record.party, table.c.number == record.number))
            ).first()
            same_stamp = connection.execute(
                select(table).where(
                    and_(table.c.party == record.party, table.c.security_stamp == record.security_stamp)
                )
            ).first()
        if same_number is not None:
            return f"{record.party} already issued permit number {record.number} on {same_number.issued_on}"
        if same_stamp is not None:
            return (
                f"security stamp {record.security_stamp} was already used on {record.party} permit {same_stamp.number}"
            )
        return f"permit {record.number} conflicts with the register"

    # -- exchange between posts -----------------------------------------------------------------------------

    def records_since(self, since: dt.date) -> dict[str, Any]:
        """Uses endorsed and permits issued on or after ``since`` (for a signed export)."""
        start = since.isoformat()
        with self.engine.connect() as connection:
            used = connection.execute(
                select(schema.uses).where(schema.uses.c.endorsed_at >= start).order_by(schema.uses.c.id)
            ).all()
            registered = connection.execute(
                select(schema.issued).where(schema.issued.c.issued_on >= start).order_by(schema.issued.c.number)
            ).all()
        return {
            "uses": [_use_from_row(row).to_json() for row in used],
            "issued": [
                {"party": row.party, "number": row.number, "security_stamp": row.security_stamp,
                 "issued_on": row.issued_on, "kid": row.kid, "payload_hash": row.payload_hash}
                for row in registered
            ],
        }  # fmt: skip

    def import_records(self, uses: list[Use], registered: list[Issued], source: str, actor: str) -> ImportReport:
        """Merge another post's records: known ones are skipped, a second different use becomes an alert."""
        report = ImportReport()
        with self._transaction() as connection:
            for use in uses:
                existing = connection.execute(
                    select(schema.uses).where(
                        and_(schema.uses.c.party == use.party, schema.uses.c.number == use.number)
                    )
                ).first()
                if existing is None:
                    connection.execute(insert(schema.uses).values(**_use_values(use)))
                    report.new_uses += 1
                elif _use_from_row(existing).same_as(use):
                    report.known_uses += 1
                else:
                    report.alerts.append(Alert(use.party, use.number, _use_from_row(existing), use))
                    self._store_alert(connection, use)
            for record in registered:
                table = schema.issued
                known = connection.execute(
                    select(table).where(and_(table.c.party == record.party, table.c.number == record.number))
                ).first()
                if known is None:
                    self._insert_issued(connection, record)
                    report.new_issued += 1
                else:
                    report.known_issued += 1
            details = {"source": source, "new_uses": report.new_uses, "known_uses": report.known_uses,
                       "new_issued": report.new_issued, "double_uses": len(report.alerts)}  # fmt: skip
            self._append_event(connection, actor, "import", source[:80], details)
        return report

    def _store_alert(self, connection: Connection, use: Use) -> None:
        text = json.dumps(use.to_json(), sort_keys=True)
        table = schema.double_uses
        seen = connection.execute(
            select(table).where(and_(table.c.party == use.party, table.c.number == use.number, table.c.use == text))
        ).first()
        if seen is None:
            connection.execute(insert(table).values(party=use.party, number=use.number, use=text, found_at=_now()))

    def alerts(self) -> list[Alert]:
        """Every double use found so far."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(schema.double_uses).order_by(schema.double_uses.c.id)).all()
        found = []
        for row in rows:
            data = json.loads(row.use)
            second = Use(
                party=data["party"], number=data["number"], port=data["port"], officer=data["officer"],
                endorsed_at=dt.datetime.fromisoformat(data["endorsed_at"]), post=data["post"],
                quantities={int(line): Decimal(quantity) for line, quantity in data["quantities"].items()},
            )  # fmt: skip
            first = self.use_of(row.party, row.number)
            if first is not None:
                found.append(Alert(row.party, row.number, first, second))
        return found

    # -- plumbing -------------------------------------------------------------------------------------------

    def _transaction(self) -> Any:
        return _Transaction(self)


class _Transaction:
    """``engine.begin()`` whose database errors (other than uniqueness) become one-line ``LedgerError``s."""

    def __init__(self, ledger: SqlLedger) -> None:
        self.ledger = ledger
        self.context: Any = None

    def __enter__(self) -> Connection:
        try:
            self.context = self.ledger.engine.begin()
            connection: Connection = self.context.__enter__()
        except SQLAlchemyError as error:
            raise LedgerError(f"ledger {self.ledger.location}: {_reason(error)}") from None
        return connection

    def __exit__(self, kind: Any, error: Any, trace: Any) -> Literal[False]:
        try:
            self.context.__exit__(kind, error, trace)
        except IntegrityError:
            raise
        except SQLAlchemyError as failure:
            raise LedgerError(f"ledger {self.ledger.location}: {_reason(failure)}") from None
        if isinstance(error, OperationalError):
            raise LedgerError(f"ledger {self.ledger.location}: {_reason(error)}") from None
        return False


class _Registration:
    """An open register transaction: ``with ledger.register(...):`` commits only if the block succeeds."""

    def __init__(self, ledger: SqlLedger, record: Issued, actor: str) -> None:
        self.ledger, self.record, self.actor = ledger, record, actor
        self.transaction = _Transaction(ledger)

    def __enter__(self) -> None:
        connection = self.transaction.__enter__()
        try:
            self.ledger._insert_issued(connection, self.record)
            details = {"security_stamp": self.record.security_stamp, "kid": self.record.kid,
                       "payload_hash": self.record.payload_hash}  # fmt: skip
            self.ledger._append_event(
                connection, self.actor, "issue", f"{self.record.party} {self.record.number}", details
            )
        except IntegrityError:
            self.transaction.__exit__(*sys.exc_info())  # rolls back
            raise RegistrationRefused(self.ledger._registration_conflict(self.record)) from None

    def __exit__(self, kind: Any, error: Any, trace: Any) -> bool:
        return self.transaction.__exit__(kind, error, trace)


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split())[:300] or type(error).__name__
