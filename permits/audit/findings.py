"""Cross-permit findings: the frauds no single verification sees, one small query function per kind.

Every function reads the batch index (``permits.audit.index``) and yields findings in a fixed order, so an
interrupted and resumed audit reports exactly what an uninterrupted one does. Only permits whose signature was
proven take part. The kinds and severities (``error`` and ``warning`` make ``cites audit`` exit 1, ``info``
does not):

- ``DUPLICATE_NUMBER`` (error): different signed documents carry one Party's permit number (compared as a reader
  sees it, and as the issuing register compares it, ``permits.identifiers.number_key``: ``KE/1``, ``ke-0001``
  and ``KE1`` are one number).
- ``REPEATED_PERMIT`` (warning): the same signed document is in several inputs (filed or presented twice: check
  it covered one consignment only); info when each input is a file of one name with another suffix (``cites
  issue`` saves a permit as PDF, image and QR text).
- ``REUSED_STAMP`` (error): one Party's security stamp (Box 5b) is on documents with different numbers (stamps
  and marks compared by ``permits.identifiers.mark_key``, as the issuing register compares stamps: ``S-0042`` is
  ``s42``).
- ``DUPLICATE_MARK`` (warning): one microchip, ring or tag number (Box 9) is on several documents that do not
  cite each other (a re-export citing its origin, or a replacement, legitimately repeats the marks), or on two
  re-exports of one document (the same animal re-exported twice).
- ``REEXPORT_OVER_QUANTITY`` (error): re-exports citing one document re-export more of a kind of specimen (term)
  of a species, in a unit, than that document covered.
- ``REEXPORT_NOT_COMPARED`` (info): re-exports are of a kind of specimen (term) that the cited document lists
  its species as only otherwise (skins re-exported as watch straps): their quantity is not compared.
- ``ORIGIN_NOT_VALID`` (warning): a cited document is in the batch but NOT VALID for a reason other than
  having expired or been used (which an origin permit normally is by the time of its re-export).
- ``ORIGIN_NOT_IN_BATCH`` (info): a cited document is not in the batch, so its quantity was not checked.
- With ``--register PARTY`` (the issuing register of the ledger, ``BatchIndex.add_register``):
  ``NOT_REGISTERED`` (error): a permit of that Party, signed with a trusted key, whose number the register does
  not hold (a key used outside the register); ``REGISTER_MISMATCH`` (error): the register holds the number for
  another document (the number written otherwise, another security stamp, issue date or signing key, or other
  signed contents: the batch holds no copy of the document whose QR text the register hashed);
  ``REGISTERED_NOT_IN_BATCH`` (info): a registered permit issued within the span of the batch's permits of that
  Party is missing from the batch.

Re-exports: a specimen line cites its origin permit (Box 12) and, if it was re-exported before, the last
re-export certificate (Box 12a). It is counted against the nearest of the two that is in the batch, so a chain
of re-exports is never counted twice against the origin; a last re-export certificate counts only if it
re-exported the species from the same origin (otherwise the line counts against its origin: citing an unrelated
certificate with a large quantity in Box 12a hides nothing). A citation names a document by its number as
``DUPLICATE_NUMBER`` compares numbers (``KE-2026-1`` cites ``KE/2026/1``). Revoked certificates are not counted;
a certificate and its Box 5 replacements count as one, the largest of them (a replacement neither doubles a
consignment nor, issued for an unrelated certificate, erases it); one certificate in several inputs is counted
once. A cited document and its replacements likewise cover one quantity, the largest of theirs: re-exports citing
an origin permit and others citing its replacement add up.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from pathlib import PurePath
from typing import Any

from permits.audit.index import BatchIndex
from permits.audit.reports.interface import Row
from permits.model import format_quantity
from permits.verification.result import Severity

USED_UP_STATUSES = ("VALID", "EXPIRED", "ALREADY_USED")
"""Statuses an origin permit may have without a finding: re-exports come after its use, often after its expiry."""


@dataclass(frozen=True)
class Finding:
    """One cross-permit finding; ``inputs`` are the report references involved, in report order."""

    kind: str
    severity: Severity
    message: str
    inputs: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)

    def to_row(self) -> Row:
        return {
            "kind": self.kind,
            "severity": self.severity.value,
            "message": self.message,
            "inputs": list(self.inputs),
            "details": self.details,
        }


def duplicate_numbers(database: sqlite3.Connection) -> Iterator[Finding]:
    query = (
        "SELECT party, number_key, number, content, place FROM rows WHERE authenticated AND (party, number_key) IN "
        "(SELECT party, number_key FROM rows WHERE authenticated GROUP BY party, number_key "
        "HAVING count(DISTINCT content) > 1) ORDER BY party, number_key, seq"
    )
    for (party, _), members in _groups(database, query, 2):
        documents = len(_distinct(content for _, content, _ in members))  # a document may be in several inputs
        number, *others = _distinct(written for written, _, _ in members)
        also = f" (also written {', '.join(others)})" if others else ""
        message = f"{party} permit number {number}{also} is on {documents} different signed documents"
        details = {"party": party, "number": number}
        yield Finding("DUPLICATE_NUMBER", Severity.ERROR, message, _inputs(members), details)


def repeated_permits(database: sqlite3.Connection) -> Iterator[Finding]:
    query = (
        "SELECT content, party, number, place FROM rows WHERE authenticated AND content IN "
        "(SELECT content FROM rows WHERE authenticated GROUP BY content HAVING count(*) > 1) ORDER BY content, seq"
    )
    for (_, party, number), members in _groups(database, query, 3):
        inputs = _inputs(members)
        details = {"party": party, "number": number}
        if _issued_files(inputs):  # KE-1.pdf, KE-1.png, KE-1.txt
            message = f"{party} permit {number}: one signed document saved as {len(inputs)} files of one name"
            yield Finding("REPEATED_PERMIT", Severity.INFO, message, inputs, details)
            continue
        message = f"{party} permit {number}: the same signed document is in {len(inputs)} inputs"
        yield Finding("REPEATED_PERMIT", Severity.WARNING, message, inputs, details)


ISSUED_FILE_SUFFIXES = frozenset({".pdf", ".png", ".txt"})
"""What ``cites issue`` writes for one permit: a PDF, a PNG of its QR code and a text file of its QR text."""


def _issued_files(inputs: tuple[str, ...]) -> bool:
    """Whether ``inputs`` are the files ``cites issue`` wrote for one permit: whole files (a text file by its only
    line, a PDF by its only page) of one name, each with another of its suffixes."""
    files = [PurePath(re.sub(r"(:1| page 1)$", "", reference)) for reference in inputs]
    return (
        all(file.suffix.lower() in ISSUED_FILE_SUFFIXES and ":" not in file.name for file in files)
        and len({file.suffix.lower() for file in files}) == len(files)
        and len({file.with_suffix("") for file in files}) == 1
    )


def reused_stamps(database: sqlite3.Connection) -> Iterator[Finding]:
    query = (
        "SELECT party, stamp, number, stamp_written, place FROM rows WHERE authenticated AND (party, stamp) IN "
        "(SELECT party, stamp FROM rows WHERE authenticated AND stamp IS NOT NULL GROUP BY party, stamp "
        "HAVING count(DISTINCT number) > 1) ORDER BY party, stamp, seq"
    )
    for (party, _), members in _groups(database, query, 2):
        numbers = _distinct(member[0] for member in members)
        stamp = members[0][1]  # as the first permit has it
        message = f"{party} security stamp {stamp} is on {len(numbers)} permits: {', '.join(numbers)}"
        details = {"party": party, "stamp": stamp, "numbers": numbers}
        yield Finding("REUSED_STAMP", Severity.ERROR, message, _inputs(members), details)


def duplicate_marks(database: sqlite3.Connection) -> Iterator[Finding]:
    query = (
        "SELECT m.mark, r.party, r.number, r.number_key, r.replaces_key, l.origin_country, l.origin_key, "
        "l.last_country, l.last_key, r.status, m.written, m.kind, r.place FROM marks m JOIN rows r ON r.seq = m.seq "
        "JOIN lines l ON l.seq = m.seq AND l.line = m.line WHERE m.mark IN "
        "(SELECT m2.mark FROM marks m2 JOIN rows r2 ON r2.seq = m2.seq GROUP BY m2.mark "
        "HAVING count(DISTINCT r2.party || '|' || r2.number_key) > 1) ORDER BY m.mark, m.seq, m.line"
    )
    for _, members in _groups(database, query, 1):  # of any kind: a chip number written as a tag is that chip
        if _linked(members):
            continue
        documents = _distinct((party, number) for party, number, *_ in members)
        listed = ", ".join(f"{party} {number}" for party, number in documents)
        written, kind = members[0][9], "/".join(_distinct(member[10] for member in members))
        message = f"{kind} {written} is on {len(documents)} documents that do not cite each other: {listed}"
        details = {"kind": kind, "mark": written, "documents": [list(document) for document in documents]}
        yield Finding("DUPLICATE_MARK", Severity.WARNING, message, _inputs(members), details)


def _linked(members: list[tuple[Any, ...]]) -> bool:
    """True if the members' documents form one chain through their citations (Box 12, 12a, and Box 5
    replacements), numbers compared as ``DUPLICATE_NUMBER`` compares them: one group, in which no document has
    two re-exports carrying the mark (siblings: the same animal re-exported twice), unless one was revoked. A
    document and its replacements are one place in the chain."""
    documents = {(party, key): member for party, _, key, *member in members}
    group = {document: document for document in documents}

    def root(document: tuple[str, str]) -> tuple[str, str]:
        while group[document] != document:
            document = group[document]
        return document

    def join(first: tuple[str, str], second: tuple[str, str]) -> None:
        group[root(first)] = root(second)

    for (party, key), (replaces, *_) in documents.items():
        if (party, replaces) in documents:
            join((party, replaces), (party, key))
    slots = {document: root(document) for document in documents}  # a document and its replacements
    children: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for document, (_, origin_country, origin_key, last_country, last_key, status, *_) in documents.items():
        last, origin = (last_country, last_key), (origin_country, origin_key)
        parent = last if last in documents else origin if origin in documents else None
        for cited in (origin, last):
            if cited in documents:
                join(cited, document)
        if parent is not None and slots[parent] != slots[document] and status != "REVOKED":
            children.setdefault(slots[parent], set()).add(slots[document])
    return len({root(document) for document in documents}) == 1 and all(len(c) == 1 for c in children.values())


CITING_LINES = """
WITH cited AS (
    SELECT r.seq, r.place, r.party, r.number, r.number_key, r.family, l.line, l.species, l.species_key, l.term,
           l.unit, l.quantity, l.origin_country, l.origin_number, l.origin_key,
           coalesce(o.family, l.origin_key) AS origin_family, l.last_country, l.last_number, l.last_key,
           coalesce(x.family, l.last_key) AS last_family
    FROM rows r JOIN lines l ON l.seq = r.seq
    LEFT JOIN families o ON o.party = l.origin_country AND o.number_key = l.origin_key
    LEFT JOIN families x ON x.party = l.last_country AND x.number_key = l.last_key
    WHERE r.authenticated AND r.status != 'REVOKED' AND (l.origin_key IS NOT NULL OR l.last_key IS NOT NULL)
), placed AS (
    SELECT *, last_key IS NOT NULL AND (origin_key IS NULL OR EXISTS (
               SELECT 1 FROM rows p JOIN lines pl ON pl.seq = p.seq
               LEFT JOIN families po ON po.party = pl.origin_country AND po.number_key = pl.origin_key
               WHERE p.authenticated AND p.party = cited.last_country AND p.family = cited.last_family
                 AND pl.species_key = cited.species_key AND pl.origin_country = cited.origin_country
                 AND coalesce(po.family, pl.origin_key) = cited.origin_family
           )) AS via_last
    FROM cited
)
SELECT CASE WHEN via_last THEN last_country ELSE origin_country END AS parent_country,
       CASE WHEN via_last THEN last_family ELSE origin_family END AS parent_family,
       species_key, term, unit,
       CASE WHEN via_last THEN 'last re-export certificate' ELSE 'origin permit' END AS parent_kind,
       CASE WHEN via_last THEN last_number ELSE origin_number END AS parent_number,
       CASE WHEN via_last THEN last_key ELSE origin_key END AS parent_key,
       species, party, number, family, number_key, line, quantity, seq, place
FROM placed
"""
"""Every counted specimen line that cites a document, with the document it is counted against (``parent_key``:
its number as ``DUPLICATE_NUMBER`` compares numbers, so ``KE-1`` cites ``KE/1``) and that document's family
(``parent_family``: it and its Box 5 replacements, ``BatchIndex._name_families``). Written once into the table
``citing`` by ``find_all``, which three finders read."""

BY_CITED_DOCUMENT = "GROUP BY parent_country, parent_key, parent_kind, place ORDER BY 1, 2, 3, min(seq)"
BY_CITED_FAMILY = "GROUP BY parent_country, parent_family, parent_kind, place ORDER BY 1, 2, 3, min(seq)"
IN_BATCH = (
    "EXISTS (SELECT 1 FROM rows p WHERE p.authenticated AND p.party = parent_country AND p.number_key = parent_key)"
)
FAMILY_IN_BATCH = (
    "EXISTS (SELECT 1 FROM rows p WHERE p.authenticated AND p.party = parent_country AND p.family = parent_family)"
)


def reexports_over_quantity(database: sqlite3.Connection) -> Iterator[Finding]:
    citing = (
        f"SELECT * FROM citing WHERE {FAMILY_IN_BATCH} "
        "ORDER BY parent_country, parent_family, species_key, term, unit, party, number, line, seq"
    )
    covered = _CoveredQuantities(database)
    for (country, family, species_key, term, unit), members in _groups(database, citing, 5):
        total, cover = _shipped(members), covered.of((country, family, species_key, term, unit))
        if total <= cover:
            continue
        number, inputs = _cited_document(database, country, family, members)
        kinds, species = " and ".join(sorted({member[0] for member in members}, reverse=True)), members[0][3]
        details = {"cited": {"country": country, "number": number}, "species": species, "term": term, "unit": unit,
                   "covered": format_quantity(cover), "reexported": format_quantity(total)}  # fmt: skip
        named = _family_named(database, country, family, number)
        if not cover and _lists_species_only_as_other_terms(database, country, family, species_key, term):
            message = (
                f"re-exports of {species} citing {country} {named} (as {kinds}) are {term}, which that document "
                f"lists only as other kinds of specimen: their quantity is not compared"
            )
            yield Finding("REEXPORT_NOT_COMPARED", Severity.INFO, message, inputs, details)
            continue
        message = (
            f"re-exports of {species} ({term}) citing {country} {named} (as {kinds}) add up to "
            f"{format_quantity(total)} {unit}, more than the {format_quantity(cover)} {unit} it covered"
        )
        yield Finding("REEXPORT_OVER_QUANTITY", Severity.ERROR, message, inputs, details)


def _shipped(members: list[tuple[Any, ...]]) -> Decimal:
    """What the citing lines re-export: each certificate once however many inputs hold it (the largest of its
    copies, line by line), and of a certificate and its Box 5 replacements the largest (they ship one
    consignment: a replacement neither adds to it nor, issued for an unrelated certificate, erases it)."""
    families: dict[tuple[str, str], dict[str, dict[int, Decimal]]] = {}
    for *_, party, _, family, number_key, line, quantity, _, _ in members:
        lines = families.setdefault((party, family), {}).setdefault(number_key, {})
        lines[line] = max(lines.get(line, Decimal(0)), Decimal(quantity))
    return sum(
        (max(sum(lines.values(), Decimal(0)) for lines in documents.values()) for documents in families.values()),
        Decimal(0),
    )


def _family_named(database: sqlite3.Connection, country: str, family: str, number: str) -> str:
    """A cited document's number, with the numbers of its Box 5 replacements (or of what it replaces) in the
    batch."""
    numbers = [
        row[0]
        for row in database.execute(
            "SELECT number FROM rows INDEXED BY rows_family WHERE authenticated AND party = ? AND family = ? "
            "GROUP BY number_key ORDER BY min(seq)",  # without the index named, SQLite scans the Party's rows
            (country, family),
        )
    ]
    others = [other for other in numbers if other != number]
    return f"{number} (with {', '.join(others)}: replacements, Box 5)" if others else number


def _cited_document(
    database: sqlite3.Connection, country: str, key: str, members: list[tuple[Any, ...]]
) -> tuple[str, tuple[str, ...]]:
    """A cited document in the batch (``key``: its family): its number as it has it, and the inputs of a finding
    about it (the document's own first, with its replacements, then those citing it)."""
    cited = database.execute(
        "SELECT number, place FROM rows WHERE authenticated AND party = ? AND family = ? ORDER BY seq",
        (country, key),
    ).fetchall()
    return cited[0][0], tuple(_distinct(iter([*(row[1] for row in cited), *_inputs(members)])))


def _lists_species_only_as_other_terms(
    database: sqlite3.Connection, country: str, family: str, species_key: str, term: str
) -> bool:
    """Whether the cited document lists the species, but only as other kinds of specimen: skins re-exported as
    watch straps cannot be counted against it (the same kind in another unit still is an over-quantity)."""
    found = database.execute(
        "SELECT count(*), coalesce(sum(l.term = ?), 0) FROM rows r JOIN lines l ON l.seq = r.seq "
        "WHERE r.authenticated AND r.party = ? AND r.family = ? AND l.species_key = ?",
        (term, country, family, species_key),
    ).fetchone()
    return bool(found[0]) and not found[1]


COVERED_LINES = """
SELECT r.party, r.family, l.species_key, l.term, l.unit, r.seq, l.quantity
FROM rows r JOIN lines l ON l.seq = r.seq
WHERE r.authenticated AND (r.party, r.family) IN (SELECT parent_country, parent_family FROM citing)
ORDER BY r.party, r.family, l.species_key, l.term, l.unit, r.seq
"""
"""The lines of every cited document in the batch (with its Box 5 replacements), in the order of the citing
groups."""


class _CoveredQuantities:
    """What each cited document covered of a kind of specimen of a species in a unit, for keys (country, family,
    species key, term, unit) asked in ascending order: a merge join with ``COVERED_LINES``, one ordered pass
    instead of one query per group. A document in several inputs covered the largest of its copies (one document
    filed twice is one copy: its quantity is not multiplied), and a document and its Box 5 replacements the
    largest of theirs (a replacement covers the specimens its predecessor covered, not more of them)."""

    def __init__(self, database: sqlite3.Connection) -> None:
        self._documents = _groups(database, COVERED_LINES, 5)
        self._current = next(self._documents, None)

    def of(self, key: tuple[str, str, str, str, str]) -> Decimal:
        while self._current is not None and self._current[0] < key:
            self._current = next(self._documents, None)
        if self._current is None or self._current[0] != key:
            return Decimal(0)
        copies = groupby(self._current[1], itemgetter(0))
        return max(sum((Decimal(quantity) for _, quantity in lines), Decimal(0)) for _, lines in copies)


def origins_not_valid(database: sqlite3.Connection) -> Iterator[Finding]:
    statuses = ", ".join(f"'{status}'" for status in USED_UP_STATUSES)
    query = (
        f"SELECT parent_country, parent_key, parent_kind, place FROM citing WHERE {IN_BATCH} "
        "AND NOT EXISTS (SELECT 1 FROM rows p WHERE p.authenticated AND p.party = parent_country "
        f"AND p.number_key = parent_key AND p.status IN ({statuses})) {BY_CITED_DOCUMENT}"
    )
    for (country, key, kind), members in _groups(database, query, 3):
        status, reason = database.execute(
            "SELECT status, reason FROM rows WHERE authenticated AND party = ? AND number_key = ? ORDER BY seq LIMIT 1",
            (country, key),
        ).fetchone()
        number, inputs = _cited_document(database, country, key, members)
        message = f"{kind} {country} {number}, cited by re-exports, is NOT VALID ({status}: {reason})"
        details = {"cited": {"country": country, "number": number}, "status": status}
        yield Finding("ORIGIN_NOT_VALID", Severity.WARNING, message, inputs, details)


def origins_not_in_batch(database: sqlite3.Connection) -> Iterator[Finding]:
    query = (
        "SELECT parent_country, parent_family, parent_kind, parent_number, place FROM citing "
        f"WHERE parent_key IS NOT NULL AND NOT {FAMILY_IN_BATCH} {BY_CITED_FAMILY}"
    )
    for (country, _, kind), members in _groups(database, query, 3):
        number = members[0][0]  # as the first citation writes it
        message = f"{kind} {country} {number}, cited by re-exports, is not in the batch: quantities not checked"
        details = {"cited": {"country": country, "number": number}}
        yield Finding("ORIGIN_NOT_IN_BATCH", Severity.INFO, message, _inputs(members), details)


IN_REGISTER_PARTIES = "r.authenticated AND r.party IN (SELECT party FROM register_parties)"
SAME_NUMBER = "g.party = r.party AND g.number_key = r.number_key"


def not_registered(database: sqlite3.Connection) -> Iterator[Finding]:
    query = (
        "SELECT r.party, r.number_key, r.number, r.kid, r.place FROM rows r "
        f"WHERE {IN_REGISTER_PARTIES} AND NOT EXISTS (SELECT 1 FROM registered g WHERE {SAME_NUMBER}) "
        "ORDER BY r.party, r.number_key, r.seq"
    )
    for (party, _), members in _groups(database, query, 2):
        number, kid = members[0][0], members[0][1]
        message = (
            f"{party} permit {number} is signed by a trusted {party} key (kid {kid}) but is not in the issuing "
            "register: a key used outside the register (stolen, or a rogue signer), or an issue never registered"
        )
        details = {"party": party, "number": number, "kid": kid}
        yield Finding("NOT_REGISTERED", Severity.ERROR, message, _inputs(members), details)


REGISTERED_TEXT = (
    "EXISTS (SELECT 1 FROM rows x WHERE x.authenticated AND x.content = r.content AND x.payload = g.payload)"
)
"""Whether the batch holds the QR text registered for ``g`` as a copy of ``r``'s signed document (so a copy of
the registered permit in another encoding matches too)."""


def register_mismatches(database: sqlite3.Connection) -> Iterator[Finding]:
    query = (
        "SELECT r.party, r.number_key, r.content, r.number, r.stamp_written, r.issued, r.kid, g.number, "
        f"g.stamp_written, g.issued, g.kid, {REGISTERED_TEXT}, r.place FROM rows r JOIN registered g ON g.rowid = "
        "(SELECT min(rowid) FROM registered h WHERE h.party = r.party AND h.number_key = r.number_key) "
        f"WHERE {IN_REGISTER_PARTIES} AND NOT EXISTS (SELECT 1 FROM registered g WHERE {SAME_NUMBER} "
        f"AND g.number = r.number AND g.kid = r.kid AND {REGISTERED_TEXT}) ORDER BY r.party, r.number_key, r.content, "
        "r.seq"
    )
    for (party, _, _), members in _groups(database, query, 3):
        number, stamp, issued, kid, held_number, held_stamp, held_issued, held_kid, same_text, _ = members[0]
        compared = (
            ("number", number, held_number),
            ("security stamp", stamp, held_stamp),
            ("issue date", issued, held_issued),
            ("signing key", kid, held_kid),
        )
        differences = [(name, signed, held) for name, signed, held in compared if signed != held]
        listed = [f"{name} {signed} (registered: {held})" for name, signed, held in differences]
        if not same_text:
            listed.append("signed contents (not the QR text registered, nor a copy of it in the batch)")
        message = (
            f"{party} permit {number} is not the document the issuing register holds as {held_number}: "
            + "; ".join(listed)
        )
        names = [name for name, _, _ in differences] + ([] if same_text else ["signed contents"])
        details = {"party": party, "number": number, "registered_number": held_number, "differences": names}
        yield Finding("REGISTER_MISMATCH", Severity.ERROR, message, _inputs(members), details)


def registered_not_in_batch(database: sqlite3.Connection) -> Iterator[Finding]:
    query = (
        "SELECT g.party, g.number, g.issued FROM registered g JOIN (SELECT party, min(issued) AS first, "
        "max(issued) AS last FROM rows r WHERE " + IN_REGISTER_PARTIES + " GROUP BY party) span "
        "ON span.party = g.party AND g.issued BETWEEN span.first AND span.last "
        "WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.authenticated AND r.party = g.party "
        "AND r.number_key = g.number_key) ORDER BY g.party, g.issued, g.number"
    )
    for party, number, issued in database.execute(query):
        message = (
            f"{party} permit {number}, registered as issued on {issued}, is not in the batch (which holds "
            f"{party} permits issued over that period)"
        )
        details = {"party": party, "number": number, "issued": issued}
        yield Finding("REGISTERED_NOT_IN_BATCH", Severity.INFO, message, (), details)


FINDERS: tuple[Callable[[sqlite3.Connection], Iterator[Finding]], ...] = (
    duplicate_numbers,
    repeated_permits,
    reused_stamps,
    duplicate_marks,
    reexports_over_quantity,
    origins_not_valid,
    origins_not_in_batch,
    not_registered,
    register_mismatches,
    registered_not_in_batch,
)


def find_all(index: BatchIndex) -> Iterator[Finding]:
    """Every cross-permit finding of the batch, kind by kind."""
    database = index.prepare_analysis()
    database.executescript(f"DROP TABLE IF EXISTS citing; CREATE TABLE citing AS {CITING_LINES};")
    for finder in FINDERS:
        yield from finder(database)


def _groups(
    database: sqlite3.Connection, query: str, key_width: int
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Rows of an ordered query grouped by their first ``key_width`` columns: (key, rest of each row)."""
    rows = database.execute(query)
    for key, members in groupby(rows, lambda row: tuple(row[:key_width])):
        yield key, [tuple(member[key_width:]) for member in members]


def _inputs(members: list[tuple[Any, ...]]) -> tuple[str, ...]:
    """The distinct inputs of a group, in report order (every query selects the ``place`` last: the input, and
    the page for a PDF page or image frame)."""
    return tuple(_distinct(member[-1] for member in members))


def _distinct(values: Iterator[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


@dataclass
class FindingsTally:
    """Counts of the findings by kind and severity, and the first few of each kind (for the terminal and HTML)."""

    samples_per_kind: int = 20
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    samples: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        key = (finding.kind, finding.severity.value)
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.counts[key] <= self.samples_per_kind:
            self.samples.append(finding)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def serious(self) -> int:
        """Findings that make the audit fail (errors and warnings)."""
        return sum(count for (_, severity), count in self.counts.items() if severity != Severity.INFO.value)
