"""The ledger on SQLAlchemy Core: endorsements, the issuing register, imports and the hash-chained event log,
the same code on every backend (``backends/``).

Every operation that writes is one transaction: the record and its event log entry are committed together or
not at all, so a process killed mid-way leaves both or neither. Uniqueness (one use per permit, one number and
one security stamp per Party, each as compared: ``schema.REGISTER_KEYS``) is the database's unique keys: an
insert that breaks one fails, inside the transaction, and the loser reads the winner's record for its refusal.
Appending to the event log locks the chain head row, so two writers never fork the chain (and ``events.seq`` is
a primary key besides).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import URL, ColumnElement, Connection, Insert, Row, Table, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from permits.errors import LedgerError
from permits.ledger import schema
from permits.ledger.backends.interface import READ_ONLY, Backend
from permits.ledger.interface import (
    Alert,
    AlertKind,
    ChainReport,
    EndorsementRefused,
    Event,
    Export,
    ImportReport,
    Issued,
    Records,
    RegistrationRefused,
    Use,
    canonical,
    document_name,
    event_hash,
    register_clash,
    row_digest,
    rows_digest,
    walk_chain,
)

BATCH_ROWS = 1000
"""Rows fetched at a time when walking the event log."""
REGISTER_DETAILS = ("security_stamp", "kid", "payload_hash")
"""What an ``issue`` entry of the audit trail records of its register row (FORMAT.md section 11.2)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _use(row: Row[Any]) -> Use:
    """The use a ``uses`` row holds; ``LedgerError`` for a row the tool could not have written (edited)."""
    try:
        return Use.from_json({**row._asdict(), "quantities": json.loads(row.quantities)})
    except (ValueError, TypeError, RecursionError) as error:
        raise LedgerError(f"the uses row of {row.party} {row.number} is unreadable ({error})") from None


def _use_values(use: Use) -> dict[str, Any]:
    values = use.to_json()
    return {**values, "quantities": canonical(values["quantities"])}


def _register_values(record: Issued) -> dict[str, Any]:
    """A register row: the entry, and its number and stamp as compared (``permits.identifiers``), each unique
    per Party."""
    values = record.to_json()
    return {**values, **{key.column: key.of(values[key.field]) for key in schema.REGISTER_KEYS}}


def _entry_without_row(connection: Connection) -> tuple[int, str, str, str] | None:
    """The first ``endorse`` or ``issue`` entry of the trail whose use or register row is gone (the tool never
    deletes one: a missing row re-opens a used permit, or frees a number). Entries name the permit as
    ``document_name`` does: the Party's two letters, a space, the number."""
    events = schema.events
    for action, table in (("endorse", schema.uses), ("issue", schema.issued)):
        held = select(table.c.party).where(_row_of_entry(table))
        row = connection.execute(
            select(events.c.seq, events.c.document)
            .where(and_(events.c.action == action, ~held.exists()))
            .order_by(events.c.seq)
            .limit(1)
        ).first()
        if row is not None:
            return int(row.seq), action, str(row.document), table.name
    return None


def _row_of_entry(table: Table) -> ColumnElement[bool]:
    """The condition matching an entry of the trail with the row of the permit it names."""
    document = schema.events.c.document
    return and_(table.c.party == func.substr(document, 1, 2), table.c.number == func.substr(document, 4))


def _use_record(row: Row[Any]) -> Mapping[str, Any]:
    return _use(row).to_json()


def _register_record(row: Row[Any]) -> Mapping[str, Any]:
    return Issued.from_json(row._asdict()).to_json()


def _register_details(row: Row[Any]) -> Mapping[str, Any]:
    return {key: getattr(row, key) for key in REGISTER_DETAILS}


ROW_RECORDS: tuple[tuple[str, Table, Callable[[Row[Any]], Mapping[str, Any]]], ...] = (
    ("uses", schema.uses, _use_record),
    ("issued", schema.issued, _register_record),
)
"""The tables an import adds rows to, each with the record a row holds (as exported)."""


def _entry_unlike_its_row(connection: Connection) -> tuple[int, str, str, str] | None:
    """The first ``endorse`` or ``issue`` entry of the trail whose row no longer says what the entry recorded
    (a use's port, time or quantities; a register entry's stamp, key id or payload hash): edited in place."""
    events = schema.events
    recorded_by = (("endorse", schema.uses, _use_record), ("issue", schema.issued, _register_details))
    for action, table, details_of in recorded_by:
        rows = connection.execute(
            select(events.c.seq, events.c.document, events.c.details, table)
            .join(table, _row_of_entry(table))
            .where(events.c.action == action)
            .order_by(events.c.seq)
            .execution_options(yield_per=BATCH_ROWS)
        )
        for row in rows:
            try:
                holds: str | None = canonical(details_of(row))
            except LedgerError:  # no longer a row the tool could have written
                holds = None
            if row.details != holds:
                return int(row.seq), action, str(row.document), table.name
    return None


def _unkeyed_entry(connection: Connection) -> str | None:
    """A register entry whose ``number_key`` or ``stamp_key`` is not its number or security stamp as compared,
    unless a schema migration left it without that key as the evidence of a clash (``_kept_as_evidence``): the
    key was cleared or changed, so the number or stamp could be issued again. The problem, for ``check_chain``."""
    migrated: set[str] | None = None
    for row in connection.execute(select(schema.issued).execution_options(yield_per=BATCH_ROWS)):
        for key in schema.REGISTER_KEYS:
            written, held = row._mapping[key.field], row._mapping[key.column]
            if key.of(written) == held:
                continue
            if held is None:
                migrated = _migration_alerts(connection) if migrated is None else migrated
                if _kept_as_evidence(connection, row, key, migrated):
                    continue
            return (
                f"register entry {document_name(row.party, row.number)}: its {key.column} is not its {key.name} "
                f"{written} as compared (altered: the {key.noun} could be issued again)"
            )
    return None


def _migration_alerts(connection: Connection) -> set[str]:
    """The fingerprints of the alerts schema upgrades found, as the ``migrate`` entries of the trail list them."""
    return {
        fingerprint
        for _, details in _entries_of(connection, "migrate")
        for fingerprint in details.get("alert_fingerprints") or ()
    }


def _kept_as_evidence(connection: Connection, row: Row[Any], key: schema.RegisterKey, migrated: set[str]) -> bool:
    """Whether a migration left register ``row`` without its ``key`` as the evidence of a clash: an alert of that
    kind from an upgrade, listed by a ``migrate`` entry (``migrated``) and unaltered since, has this very entry as
    ``second``. An alert added or edited later to excuse a cleared key is no evidence."""
    alerts = schema.alerts
    try:
        second = canonical(_register_record(row))
    except ValueError:  # no longer a row the tool could have written
        return False
    found = connection.execute(
        select(alerts).where(
            and_(
                alerts.c.kind == key.clash.value,
                alerts.c.source.startswith(schema.MIGRATION_ALERT_SOURCE),
                alerts.c.second == second,
                alerts.c.fingerprint.in_(migrated),
            )
        )
    )
    for alert in found:
        try:
            if _stored_alert(alert).fingerprint() == alert.fingerprint:
                return True
        except (ValueError, RecursionError):  # its record is no longer JSON
            continue
    return False


def _import_rows_changed(connection: Connection) -> tuple[int, str] | None:
    """The first ``import`` entry of the trail whose added rows (those naming it in ``imported_seq``) no longer
    give the digest its details recorded: a row deleted, edited, or moved to another entry. Imported uses and
    register rows have no audit entry of their own."""
    for seq, details in _entries_of(connection, "import"):
        recorded = details.get("added_digest")
        if recorded is None:  # written before imported rows were recorded
            continue
        added: list[tuple[str, str, str, str]] = []
        for name, table, record_of in ROW_RECORDS:
            for row in connection.execute(select(table).where(table.c.imported_seq == seq)):
                try:
                    digest = row_digest(record_of(row))
                except (LedgerError, ValueError):  # no longer a row the tool could have written
                    digest = "unreadable"
                added.append((name, row.party, row.number, digest))
        if rows_digest(added) != recorded:
            return seq, f"entry {seq} (import): the rows it added are no longer as imported (deleted or edited)"
    return None


def _entries_of(connection: Connection, action: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The entries of the trail with ``action``, in order, their details decoded."""
    events = schema.events
    imports = connection.execute(
        select(events.c.seq, events.c.details)
        .where(events.c.action == action)
        .order_by(events.c.seq)
        .execution_options(yield_per=BATCH_ROWS)
    )
    for seq, details in imports:
        try:
            decoded = json.loads(details)
        except (ValueError, RecursionError):
            decoded = None
        yield int(seq), decoded if isinstance(decoded, dict) else {}


def _import_without_its_alerts(connection: Connection) -> tuple[int, str] | None:
    """The first ``import`` or ``migrate`` entry of the trail whose alerts (their fingerprints, in its details)
    are no longer all in the ``alerts`` table: deleted to hide a double use or a re-used stamp."""
    alerts = schema.alerts
    for action in ("migrate", "import"):
        for seq, details in _entries_of(connection, action):
            fingerprints = set(details.get("alert_fingerprints") or ())
            if not fingerprints:
                continue
            held = connection.execute(select(alerts.c.fingerprint).where(alerts.c.fingerprint.in_(fingerprints)))
            if len(set(held.scalars())) != len(fingerprints):
                problem = f"found {len(fingerprints)} alert(s) that are no longer all stored (deleted?)"
                return seq, f"entry {seq} ({action}) {problem}"
    return None


def _trail_gaps(connection: Connection, signer: str) -> list[tuple[int, int]]:
    """The stretches (first and last ``seq``) missing between the entries held from one post's trail."""
    table = schema.post_events
    held = (
        select(table.c.seq, func.lead(table.c.seq).over(order_by=table.c.seq).label("next"))
        .where(table.c.signer == signer)
        .subquery()
    )
    missing = select(held.c.seq, held.c.next).where(held.c.next > held.c.seq + 1).order_by(held.c.seq)
    return [(seq + 1, following - 1) for seq, following in connection.execute(missing)]


def _stored_alert(row: Row[Any]) -> Alert:
    """The alert an ``alerts`` row holds."""
    return Alert(AlertKind(row.kind), row.document, json.loads(row.first), json.loads(row.second), row.source)


def _event(row: Row[Any]) -> Event:
    return Event.from_json(row._asdict())


def _inserted(connection: Connection, statement: Insert) -> bool:
    """Run an insert in a savepoint: False, and nothing changed, when it would break a unique key."""
    try:
        with connection.begin_nested():
            connection.execute(statement)
    except IntegrityError:
        return False
    return True


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split())[:300] or type(error).__name__


class SqlLedger:
    """A ledger in one database (see ``permits.ledger.interface.Ledger`` for what each method promises)."""

    def __init__(self, backend: Backend, url: URL) -> None:
        self.location = url.render_as_string(hide_password=True)
        try:
            self.engine = backend.engine(url)
        except (SQLAlchemyError, ImportError) as error:
            raise LedgerError(f"ledger {self.location}: cannot open ({_reason(error)})") from None
        with self._read() as connection:
            current = schema.version(connection)
        if current != schema.CURRENT_VERSION:
            with self._write() as connection:
                backend.lock_schema(connection)
                upgraded_from = schema.migrate(connection)
                if 0 < upgraded_from < schema.CURRENT_VERSION:  # an existing ledger, upgraded here: recorded
                    self._record_upgrade(connection, upgraded_from)

    def _record_upgrade(self, connection: Connection, upgraded_from: int) -> None:
        """A ``migrate`` entry naming the versions and every alert an upgrade found (``ledger check`` then sees
        one deleted)."""
        alerts = schema.alerts
        found = connection.execute(
            select(alerts.c.fingerprint)
            .where(alerts.c.source.startswith(schema.MIGRATION_ALERT_SOURCE))
            .order_by(alerts.c.id)
        )
        details = {"from": upgraded_from, "to": schema.CURRENT_VERSION, "alert_fingerprints": list(found.scalars())}
        self._append(connection, "cites", "migrate", f"schema {upgraded_from} to {schema.CURRENT_VERSION}", details)

    # -- transactions ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection.execution_options(**{READ_ONLY: True})
        except SQLAlchemyError as error:
            raise LedgerError(f"ledger {self.location}: {_reason(error)}") from None

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction, committed when the block succeeds, rolled back when it raises."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            raise LedgerError(f"ledger {self.location}: {_reason(error)}") from None

    def _interfered(self) -> LedgerError:
        """A unique key refused a record that, read back in the same transaction, is not there."""
        return LedgerError(f"ledger {self.location}: a concurrent write got in the way; try again")

    # -- the event log --------------------------------------------------------------------------------------

    def _append(
        self, connection: Connection, actor: str, action: str, document: str, details: Mapping[str, Any]
    ) -> None:
        head_row = schema.chain_head.c.id == 1
        head = connection.execute(select(schema.chain_head).where(head_row).with_for_update()).one()
        seq, at, text, actor, document = head.seq + 1, _now(), canonical(details), actor[:200], document[:80]
        digest = event_hash(seq, head.hash, actor, at, action, document, text)
        connection.execute(
            insert(schema.events).values(seq=seq, prev_hash=head.hash, entry_hash=digest, actor=actor, at=at,
                                         action=action, document=document, details=text)
        )  # fmt: skip
        connection.execute(update(schema.chain_head).where(head_row).values(seq=seq, hash=digest))

    def record_event(self, actor: str, action: str, document: str, details: Mapping[str, Any]) -> None:
        with self.recording_event(actor, action, document, details):
            pass

    @contextlib.contextmanager
    def recording_event(self, actor: str, action: str, document: str, details: Mapping[str, Any]) -> Iterator[None]:
        with self._write() as connection:
            self._append(connection, actor, action, document, details)
            yield

    def events(self, document: str | None = None, last: int | None = None) -> list[Event]:
        table = schema.events
        query = select(table).order_by(table.c.seq.desc()).limit(last)
        if document is not None:
            query = query.where(table.c.document == document)
        with self._read() as connection:
            return [_event(row) for row in reversed(connection.execute(query).all())]

    def check_chain(self) -> ChainReport:
        with self._read() as connection:
            query = select(schema.events).order_by(schema.events.c.seq).execution_options(yield_per=BATCH_ROWS)
            local = walk_chain(map(_event, connection.execute(query)), complete=True)
            if local.problem:
                return local
            head = connection.execute(select(schema.chain_head)).one()
            imported = connection.execute(
                select(schema.post_events)
                .order_by(schema.post_events.c.signer, schema.post_events.c.seq)
                .execution_options(yield_per=BATCH_ROWS)
            )
            for signer, group in itertools.groupby(imported, key=lambda row: str(row.signer)):
                trail = walk_chain(map(_event, group), complete=False)
                if trail.problem:
                    return replace(local, problem=f"imported entries of post key {signer[:16]}: {trail.problem}")
        if head.seq > local.entries:
            missing = local.entries + 1
            return replace(local, broken_at=missing, problem=f"entry {missing} is missing (head: {head.seq} entries)")
        if head.seq < local.entries:
            return replace(local, broken_at=head.seq + 1, problem=f"entry {head.seq + 1} was added behind the head")
        if head.hash != local.head:
            return replace(local, broken_at=head.seq, problem=f"entry {head.seq} was replaced (head: another hash)")
        with self._read() as connection:
            orphan = _entry_without_row(connection)
            if orphan is not None:
                seq, action, document, table = orphan
                problem = f"entry {seq} ({action} {document}) has no row in the {table} table (deleted?)"
                return replace(local, broken_at=seq, problem=problem)
            altered = _entry_unlike_its_row(connection)
            if altered is not None:
                seq, action, document, table = altered
                problem = f"entry {seq} ({action} {document}): its row in the {table} table was altered"
                return replace(local, broken_at=seq, problem=problem)
            unkeyed = _unkeyed_entry(connection)
            if unkeyed is not None:
                return replace(local, problem=unkeyed)
            hidden = _import_without_its_alerts(connection) or _import_rows_changed(connection)
        if hidden is not None:
            return replace(local, broken_at=hidden[0], problem=hidden[1])
        return local

    # -- endorsements ---------------------------------------------------------------------------------------

    def endorse(self, use: Use, actor: str) -> None:
        with self._write() as connection:
            if not _inserted(connection, insert(schema.uses).values(**_use_values(use))):
                earlier = self._held_use(connection, use.party, use.number)
                if earlier is None:
                    raise self._interfered()
                message = f"permit {use.document} was already used {earlier.describe()}"
                raise EndorsementRefused(message, "ALREADY_USED", earlier)
            self._append(connection, actor, "endorse", use.document, use.to_json())

    def _held_use(self, connection: Connection, party: str, number: str) -> Use | None:
        table = schema.uses
        row = connection.execute(select(table).where(and_(table.c.party == party, table.c.number == number))).first()
        return _use(row) if row else None

    def use_of(self, party: str, number: str) -> Use | None:
        with self._read() as connection:
            return self._held_use(connection, party, number)

    # -- the issuing register -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def register(self, record: Issued, actor: str) -> Iterator[None]:
        with self._write() as connection:
            if not _inserted(connection, insert(schema.issued).values(_register_values(record))):
                kind, holder = self._register_clash(connection, record)
                if kind is AlertKind.DUPLICATE_NUMBER:
                    written = "" if holder.number == record.number else f" (this one is written {record.number})"
                    raise RegistrationRefused(
                        f"{record.party} already issued permit number {holder.number} on {holder.issued_on}{written}"
                    )
                written = "" if holder.security_stamp == record.security_stamp else f" (as {holder.security_stamp})"
                raise RegistrationRefused(
                    f"security stamp {record.security_stamp} was already used on {record.party} permit "
                    f"{holder.number}{written}"
                )
            details = {key: getattr(record, key) for key in REGISTER_DETAILS}
            self._append(connection, actor, "issue", record.document, details)
            yield

    def _held_issued(self, connection: Connection, party: str, column: str, value: str | None) -> Issued | None:
        table = schema.issued
        row = connection.execute(select(table).where(and_(table.c.party == party, table.c[column] == value))).first()
        return Issued.from_json(row._asdict()) if row else None

    def _holder(
        self, connection: Connection, party: str, key: schema.RegisterKey, written: str | None
    ) -> Issued | None:
        """The entry of ``party`` holding a number or security stamp (``key``): with it as written, else with it
        as compared (an entry a migration kept as evidence has no key; a stamp with no letter or digit, such as
        "-", has none either and clashes as written only)."""
        if written is None:
            return None
        held = self._held_issued(connection, party, key.field, written)
        compared = key.of(written)
        if held is None and compared is not None:
            held = self._held_issued(connection, party, key.column, compared)
        return held

    def _register_clash(self, connection: Connection, record: Issued) -> tuple[AlertKind, Issued]:
        """The entry that kept ``record`` out of the register and what it clashed on: the same number, else the
        same security stamp."""
        values = record.to_json()
        for key in schema.REGISTER_KEYS:
            holder = self._holder(connection, record.party, key, values[key.field])
            if holder is not None:
                return key.clash, holder
        raise self._interfered()

    def issued_of(self, party: str, number: str) -> Issued | None:
        with self._read() as connection:
            return self._holder(connection, party, schema.NUMBER_KEY, number)

    def register_of(self, party: str) -> Iterator[Issued]:
        table = schema.issued
        with self._read() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.party == party)
                .order_by(table.c.issued_on, table.c.number)
                .execution_options(yield_per=BATCH_ROWS)
            )
            for row in rows:
                try:
                    yield Issued.from_json(row._asdict())
                except ValueError as error:
                    document = document_name(row.party, row.number)
                    raise LedgerError(f"ledger {self.location}: register entry {document}: {error}") from None

    # -- exchange between posts -----------------------------------------------------------------------------

    def records_since(self, since: dt.date) -> Records:
        start = since.isoformat()
        uses, issued, events = schema.uses, schema.issued, schema.events
        with self._read() as connection:
            used = connection.execute(select(uses).where(uses.c.endorsed_at >= start).order_by(uses.c.id)).all()
            registered = connection.execute(
                select(issued).where(issued.c.issued_on >= start).order_by(issued.c.party, issued.c.number)
            ).all()
            logged = connection.execute(select(events).where(events.c.at >= start).order_by(events.c.seq)).all()
        return Records(
            uses=[_use(row) for row in used],
            issued=[Issued.from_json(row._asdict()) for row in registered],
            events=[_event(row) for row in logged],
        )

    def import_records(self, export: Export, actor: str) -> ImportReport:
        report = ImportReport()
        with self._write() as connection:
            entry = self._next_seq(connection)  # the import's own entry, which the rows it adds name
            for use in export.records.uses:
                self._import_use(connection, use, export.source, report, entry)
            for record in export.records.issued:
                self._import_issued(connection, record, export.source, report, entry)
            for event in export.records.events:
                self._import_event(connection, event, export, report)
            report.gaps = _trail_gaps(connection, export.signer)
            events = export.records.events
            details = {**report.summary(), "post": export.post, "signer": export.signer,
                       "events_head": events[-1].entry_hash if events else None,
                       "alert_fingerprints": [alert.fingerprint() for alert in report.alerts],
                       "added_digest": rows_digest(report.added_rows)}  # fmt: skip
            self._append(connection, actor, "import", export.source, details)
        return report

    @staticmethod
    def _next_seq(connection: Connection) -> int:
        """The ``seq`` the next audit entry gets (the head is locked until the transaction ends)."""
        head = schema.chain_head
        return int(connection.execute(select(head.c.seq).where(head.c.id == 1).with_for_update()).scalar_one()) + 1

    def _import_use(self, connection: Connection, use: Use, source: str, report: ImportReport, entry: int) -> None:
        if _inserted(connection, insert(schema.uses).values(**_use_values(use), imported_seq=entry)):
            report.added["uses"] += 1
            report.added_rows.append(("uses", use.party, use.number, row_digest(use.to_json())))
            return
        held = self._held_use(connection, use.party, use.number)
        if held is None:
            raise self._interfered()
        if held == use:
            report.known["uses"] += 1
        else:
            alert = Alert(AlertKind.DOUBLE_USE, use.document, held.to_json(), use.to_json(), source)
            self._alert(connection, report, alert)

    def _import_issued(
        self, connection: Connection, record: Issued, source: str, report: ImportReport, entry: int
    ) -> None:
        if _inserted(connection, insert(schema.issued).values(**_register_values(record), imported_seq=entry)):
            report.added["issued"] += 1
            report.added_rows.append(("issued", record.party, record.number, row_digest(record.to_json())))
            return
        kind, holder = self._register_clash(connection, record)
        if holder == record:
            report.known["issued"] += 1
        else:
            self._alert(connection, report, register_clash(kind, holder, record, source))

    def _import_event(self, connection: Connection, event: Event, export: Export, report: ImportReport) -> None:
        conflict = self._trail_conflict(connection, export.signer, event)
        values = {**event.to_json(), "signer": export.signer, "post": export.post[:200]}
        if conflict is None and _inserted(connection, insert(schema.post_events).values(**values)):
            report.added["events"] += 1
            return
        conflict = conflict or self._trail_conflict(connection, export.signer, event)
        if conflict is None:
            report.known["events"] += 1
            return
        document = f"post {export.post} (key {export.signer[:16]})"
        alert = Alert(AlertKind.FORKED_TRAIL, document, conflict.to_json(), event.to_json(), export.source)
        self._alert(connection, report, alert)

    def _trail_conflict(self, connection: Connection, signer: str, event: Event) -> Event | None:
        """The entry already imported from that post that ``event`` contradicts: another entry with its
        number, or a neighbour it does not link with."""
        table = schema.post_events
        rows = connection.execute(
            select(table).where(and_(table.c.signer == signer, table.c.seq.between(event.seq - 1, event.seq + 1)))
        ).all()
        for held in map(_event, rows):
            if (
                (held.seq == event.seq and held != event)
                or (held.seq == event.seq - 1 and held.entry_hash != event.prev_hash)
                or (held.seq == event.seq + 1 and held.prev_hash != event.entry_hash)
            ):
                return held
        return None

    def _alert(self, connection: Connection, report: ImportReport, alert: Alert) -> None:
        """Report the alert; store it once however often the same file is imported."""
        report.alerts.append(alert)
        _inserted(connection, insert(schema.alerts).values(schema.alert_values(alert, _now())))

    def alerts(self, document: str | None = None) -> list[Alert]:
        table = schema.alerts
        query = select(table).order_by(table.c.id)
        if document is not None:
            query = query.where(table.c.document == document)
        with self._read() as connection:
            rows = connection.execute(query).all()
        return [_stored_alert(row) for row in rows]
