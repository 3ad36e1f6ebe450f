"""What a usage ledger records and answers, whatever database holds it.

A **use** is the Box 14 endorsement of one permit at a border post: per line, the quantity actually shipped,
with port, time and officer. One permit covers one consignment, so a permit has at most one use; the
database enforces it (a unique key on Party + permit number), never a check in Python. The **register**
holds every permit an authority issued (unique number and security stamp per Party, as compared by
``permits.identifiers``). The **event log** is hash-chained: each entry holds the hash of the one before
(docs/FORMAT.md, "The audit trail"). **Alerts** keep what an import from another post contradicts (a second
use of a permit, ...): both sides, never merged.

``Ledger`` is the protocol every implementation provides (``permits.ledger.sql`` on SQLAlchemy); the records
here are plain data with their JSON forms, shared by the database rows and the signed exports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from permits.errors import CitesError, InputError
from permits.limits import MAX_SPECIMEN_LINES
from permits.model import QUANTITY_PATTERN, one_line_name

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first entry of an event log."""
LINE_PATTERN = re.compile(r"[0-9]{1,3}")
"""A use's specimen line number as text (the quantities' keys)."""


class EndorsementRefused(CitesError):
    """The ledger refused an endorsement: already used (``earlier`` is that use) or a quantity above the
    permit. ``status`` names the refusal in JSON output. Exit code 1, like a NOT VALID permit."""

    exit_code = 1

    def __init__(self, message: str, status: str, earlier: Use | None = None) -> None:
        self.status = status
        self.earlier = earlier
        super().__init__(message)


class RegistrationRefused(CitesError):
    """``cites issue`` refused: the Party already issued this number, or used this security stamp (exit 2)."""


def canonical(value: object) -> str:
    """Compact JSON with sorted keys and unescaped non-ASCII: how details and alert records are stored."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def document_name(party: str, number: str) -> str:
    """How the event log and the alerts name a permit (``"KE KE/2026/1"``): its issuing Party and number."""
    return f"{party} {number}"


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected text")
    return value


def _require_one_line(data: Mapping[str, Any], key: str) -> None:
    """``ValueError`` unless ``key`` holds a port, officer or post as ``cites endorse`` records it
    (``one_line_name``): another post's export may not bring a line break, a control or bidirectional character
    (a forged line in ``ledger show``, or a terminal escape sequence) into this ledger."""
    value = _text(data, key)
    try:
        if one_line_name(value, key) != value:
            raise ValueError(f"{key}: white space around the text")
    except InputError as error:
        raise ValueError(str(error)) from None


@dataclass(frozen=True)
class Use:
    """One endorsement: where, when and by whom a permit was used, and the quantity shipped per line (1-based)."""

    party: str
    number: str
    port: str
    officer: str
    endorsed_at: dt.datetime
    post: str
    quantities: dict[int, Decimal] = field(default_factory=dict)

    @property
    def document(self) -> str:
        return document_name(self.party, self.number)

    def describe(self) -> str:
        return f"at {self.port} on {self.endorsed_at:%Y-%m-%d %H:%M} UTC (officer {self.officer}, post {self.post})"

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "number": self.number,
            "port": self.port,
            "officer": self.officer,
            "endorsed_at": self.endorsed_at.isoformat(timespec="seconds"),
            "post": self.post,
            "quantities": {str(line): format(quantity, "f") for line, quantity in sorted(self.quantities.items())},
        }

    @classmethod
    def from_export(cls, data: Mapping[str, Any]) -> Use:
        """A use in another post's export: as ``from_json``, and its port, officer and post one line of plain
        text as ``cites endorse`` writes them (``_require_one_line``). Stored rows are read with ``from_json``: a
        row an earlier version imported stays readable (and is shown escaped)."""
        for key in ("port", "officer", "post"):
            _require_one_line(data, key)
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Use:
        """The use ``to_json`` wrote; ``ValueError`` names the first bad field."""
        endorsed_at = dt.datetime.fromisoformat(_text(data, "endorsed_at"))
        if endorsed_at.tzinfo is None:
            raise ValueError("endorsed_at: expected a UTC offset")
        raw = data.get("quantities")
        if not isinstance(raw, Mapping):
            raise ValueError("quantities: expected an object")
        quantities = {}
        for line, quantity in raw.items():
            if not (
                isinstance(line, str)
                and LINE_PATTERN.fullmatch(line)
                and isinstance(quantity, str)
                and QUANTITY_PATTERN.fullmatch(quantity)
            ):
                raise ValueError(f"quantities: {str(line)[:20]!r}: expected a line number and a plain decimal text")
            number, amount = int(line), Decimal(quantity)
            if not 1 <= number <= MAX_SPECIMEN_LINES or amount <= 0:
                raise ValueError(f"quantities: {line!r}: expected a line from 1 to {MAX_SPECIMEN_LINES}, above zero")
            quantities[number] = amount
        try:
            utc = endorsed_at.astimezone(dt.UTC)
        except OverflowError:  # a year-1 time east of UTC
            raise ValueError("endorsed_at: out of range") from None
        return cls(
            party=_text(data, "party"),
            number=_text(data, "number"),
            port=_text(data, "port"),
            officer=_text(data, "officer"),
            endorsed_at=utc,
            post=_text(data, "post"),
            quantities=quantities,
        )


@dataclass(frozen=True)
class Issued:
    """A register entry: a permit an authority issued (``payload_hash``: SHA-256 of its QR text, hex)."""

    party: str
    number: str
    security_stamp: str | None
    issued_on: dt.date
    kid: str
    payload_hash: str

    @property
    def document(self) -> str:
        return document_name(self.party, self.number)

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "number": self.number,
            "security_stamp": self.security_stamp,
            "issued_on": self.issued_on.isoformat(),
            "kid": self.kid,
            "payload_hash": self.payload_hash,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Issued:
        stamp = data.get("security_stamp")
        if stamp is not None and not isinstance(stamp, str):
            raise ValueError("security_stamp: expected text or null")
        return cls(
            party=_text(data, "party"),
            number=_text(data, "number"),
            security_stamp=stamp,
            issued_on=dt.date.fromisoformat(_text(data, "issued_on")),
            kid=_text(data, "kid"),
            payload_hash=_text(data, "payload_hash"),
        )


def event_hash(seq: int, prev_hash: str, actor: str, at: str, action: str, document: str, details: str) -> str:
    """SHA-256 (hex) over the canonical JSON array of an event's fields (docs/FORMAT.md, "The audit trail")."""
    fields = [seq, prev_hash, actor, at, action, document, details]
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


@dataclass(frozen=True)
class Event:
    """One entry of a hash-chained event log; ``details`` is the canonical JSON text that was hashed."""

    seq: int
    prev_hash: str
    actor: str
    at: str
    action: str
    document: str
    details: str
    entry_hash: str

    def computed_hash(self) -> str:
        return event_hash(self.seq, self.prev_hash, self.actor, self.at, self.action, self.document, self.details)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
            "actor": self.actor,
            "at": self.at,
            "action": self.action,
            "document": self.document,
            "details": self.details,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        seq = data.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise ValueError("seq: expected an integer from 1")
        texts = {key: _text(data, key) for key in ("prev_hash", "entry_hash", "actor", "at", "action", "document")}
        return cls(seq=seq, details=_text(data, "details"), **texts)


@dataclass(frozen=True)
class ChainReport:
    """The result of recomputing an event log: ``problem`` names the first broken entry, if any."""

    entries: int
    head: str
    broken_at: int | None = None
    problem: str | None = None


def row_digest(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a use's or register entry's JSON in canonical form."""
    return hashlib.sha256(canonical(record).encode()).hexdigest()


def rows_digest(rows: Iterable[tuple[str, str, str, str]]) -> str:
    """SHA-256 (hex) of a set of rows given as (table, Party, number, ``row_digest``): one tab-separated line
    each, sorted, joined by line feeds. The same whatever order the rows are given in."""
    lines = sorted("\t".join(row) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def walk_chain(events: Iterable[Event], complete: bool) -> ChainReport:
    """Recompute each entry's hash and its link to the entry before. A ``complete`` log starts at entry 1 and
    has no gap; otherwise (a post's exported stretch) only consecutive entries must link."""
    entries, previous = 0, (0, GENESIS_HASH) if complete else None
    for event in events:
        if previous is not None:
            seq, digest = previous
            if event.seq <= seq:
                return ChainReport(entries, digest, event.seq, f"entry {event.seq} is out of order")
            if complete and event.seq != seq + 1:
                return ChainReport(entries, digest, seq + 1, f"entry {seq + 1} is missing")
            if event.seq == seq + 1 and event.prev_hash != digest:
                return ChainReport(entries, digest, event.seq, f"entry {event.seq} does not link to entry {seq}")
        if event.computed_hash() != event.entry_hash:
            head = previous[1] if previous else GENESIS_HASH
            return ChainReport(entries, head, event.seq, f"entry {event.seq} was altered after it was written")
        entries, previous = entries + 1, (event.seq, event.entry_hash)
    return ChainReport(entries, previous[1] if previous else GENESIS_HASH)


class AlertKind(StrEnum):
    """What an import found that contradicts the ledger."""

    DOUBLE_USE = "DOUBLE_USE"
    """Two different uses of one permit (two posts let the same permit through)."""
    DUPLICATE_NUMBER = "DUPLICATE_NUMBER"
    """One Party's permit number registered for two different documents."""
    REUSED_STAMP = "REUSED_STAMP"
    """One Party's security stamp registered on two permit numbers."""
    FORKED_TRAIL = "FORKED_TRAIL"
    """A post's audit entry that differs from, or does not link to, the entries imported before."""


@dataclass(frozen=True)
class Alert:
    """A contradiction kept with both sides: ``first`` the record held, ``second`` the one imported."""

    kind: AlertKind
    document: str
    first: dict[str, Any]
    second: dict[str, Any]
    source: str

    def fingerprint(self) -> str:
        """Identifies the alert, so re-importing the same file stores it once."""
        return hashlib.sha256(canonical([self.kind, self.document, self.first, self.second]).encode()).hexdigest()

    def describe(self) -> str:
        first, second = self.first, self.second
        if self.kind is AlertKind.DOUBLE_USE:
            what = f"{Use.from_json(first).describe()} and {Use.from_json(second).describe()}"
        elif self.kind is AlertKind.DUPLICATE_NUMBER:
            written = "" if second["number"] == first["number"] else f", the second written {second['number']}"
            what = (
                f"registered twice, QR hashes {first['payload_hash'][:16]} (kid {first['kid']}) and "
                f"{second['payload_hash'][:16]} (kid {second['kid']}){written}"
            )
        elif self.kind is AlertKind.REUSED_STAMP:
            what = f"security stamp {second['security_stamp']} is already on permit {first['number']}"
        else:
            what = f"entry {second['seq']} differs from or does not link to the trail imported before"
        return f"{self.kind.replace('_', ' ')} of {self.document}: {what} (from {self.source})"

    def to_json(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "document": self.document, "first": self.first, "second": self.second,
                "source": self.source}  # fmt: skip


def register_clash(kind: AlertKind, held: Issued, other: Issued, source: str) -> Alert:
    """The alert of a register entry ``other`` that ``held`` keeps out (``DUPLICATE_NUMBER`` or ``REUSED_STAMP``).
    A number registered twice is named as ``held`` writes it (``cites ledger show`` finds the register entry by
    its number as compared, which is ``held``); a re-used stamp by the permit ``other`` puts it on."""
    document = held.document if kind is AlertKind.DUPLICATE_NUMBER else other.document
    return Alert(kind, document, held.to_json(), other.to_json(), source)


@dataclass(frozen=True)
class Records:
    """What a post exports and another imports: uses, register entries and the post's own event log."""

    uses: list[Use] = field(default_factory=list)
    issued: list[Issued] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    """Verified records from another post: its name, its key id (SHA-256 of the public key) and the file."""

    post: str
    signer: str
    source: str
    records: Records


@dataclass
class ImportReport:
    """What an import changed, per kind of record (``uses``, ``issued``, ``events``), and what it contradicted."""

    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("uses", "issued", "events"), 0))
    known: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("uses", "issued", "events"), 0))
    alerts: list[Alert] = field(default_factory=list)
    added_rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    """Table, Party, number and ``row_digest`` of each use and register row added: the import's entry in the
    audit trail keeps their ``rows_digest``, so that ``check_chain`` sees an imported row deleted or edited."""
    gaps: list[tuple[int, int]] = field(default_factory=list)
    """First and last ``seq`` of each stretch of the exporting post's trail missing between entries held: a
    rewritten history there is seen only once an export holding those entries is imported."""

    def summary(self) -> dict[str, Any]:
        return {"added": self.added, "known": self.known, "alerts": len(self.alerts)}


class Ledger(Protocol):
    """A usage ledger. Every method that writes is one transaction with its event log entry."""

    location: str
    """Where the ledger is, for messages (never with a password)."""

    def register(self, record: Issued, actor: str) -> AbstractContextManager[None]:
        """Enter the permit in the issuing register (``RegistrationRefused`` for a number or security stamp
        the Party already used, each compared as ``permits.identifiers`` says); committed when the ``with``
        block succeeds, rolled back when it raises."""
        ...

    def issued_of(self, party: str, number: str) -> Issued | None:
        """The register entry of a permit, if any: the entry with the number as written, else the one whose
        number is the same as compared (``ke-2026-1`` finds ``KE/2026/1``; its ``number`` is as registered)."""
        ...

    def register_of(self, party: str) -> Iterator[Issued]:
        """Every register entry of ``party``, streamed in issue order (issue date, then number)."""
        ...

    def endorse(self, use: Use, actor: str) -> None:
        """Record a use; ``EndorsementRefused`` with the earlier use when the permit was already used."""
        ...

    def use_of(self, party: str, number: str) -> Use | None:
        """The recorded use of a permit, if any."""
        ...

    def record_event(self, actor: str, action: str, document: str, details: Mapping[str, Any]) -> None:
        """Append one event on its own."""
        ...

    def recording_event(
        self, actor: str, action: str, document: str, details: Mapping[str, Any]
    ) -> AbstractContextManager[None]:
        """Append one event (e.g. a revocation) in a transaction committed when the ``with`` block succeeds,
        rolled back when it raises: what the block records elsewhere is done only once the entry is written."""
        ...

    def events(self, document: str | None = None, last: int | None = None) -> list[Event]:
        """The event log (of one document, e.g. ``"KE KE/2026/1"``), oldest first; ``last`` keeps the newest."""
        ...

    def check_chain(self) -> ChainReport:
        """Recompute the event log and the imported posts' entries; name the first broken entry."""
        ...

    def records_since(self, since: dt.date) -> Records:
        """Uses endorsed, permits issued and events logged on or after ``since`` (for a signed export)."""
        ...

    def import_records(self, export: Export, actor: str) -> ImportReport:
        """Merge another post's records idempotently; contradictions are stored as alerts, never merged."""
        ...

    def alerts(self, document: str | None = None) -> list[Alert]:
        """Every alert found so far (of one document, e.g. ``"KE KE/2026/1"``), oldest first."""
        ...
