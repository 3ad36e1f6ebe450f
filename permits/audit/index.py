"""The cross-permit index: the few facts of each report row the batch-wide analysis needs, in an SQLite file.

``facts_of`` reduces a report row (as written, or as read back by ``--resume``) to its facts; ``BatchIndex``
keeps them on disk next to the report, so memory stays flat however many permits the batch holds, and answers
the summary queries; ``permits.audit.findings`` runs the cross-permit queries on it. Because the facts come from
report rows only, a resumed audit ends with exactly the index, findings and summary of an uninterrupted one.

Only permits whose signature was proven (the row has a ``permit``) give numbers, stamps, lines and marks: a
forger's claims are never evidence against a genuine permit.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from permits.audit.reports.interface import Row
from permits.identifiers import mark_key, number_key

if TYPE_CHECKING:
    from permits.ledger.interface import Issued

NOT_AUTHENTICATED = "(not authenticated)"
"""Chart label for failures whose signature was never proven (no Party, species or date can be trusted)."""


class RowFacts(NamedTuple):
    """What the index keeps of one report row, ready to insert: its ``rows`` columns and those of its ``lines``
    and ``marks``, each without the leading ``seq`` (given by ``BatchIndex.add``, in report order; see
    ``SCHEMA``) and without ``place`` (named once every row is in). Computed where the row is made, so that a
    parallel audit's main process only inserts."""

    row: tuple[Any, ...]
    lines: tuple[tuple[Any, ...], ...] = ()
    marks: tuple[tuple[Any, ...], ...] = ()


def facts_of(row: Row) -> RowFacts:
    """The facts of one report row."""
    status = str(row["status"])
    checks = row.get("checks") or ()
    failed = next((check["id"] for check in checks if not check["ok"] and check["severity"] == "error"), None)
    category = f"{status} {failed}" if status == "RULE_VIOLATION" and failed else status
    signer = row.get("signer") or {}
    claimed_party = signer.get("party")
    page = row.get("page") if isinstance(row.get("page"), int) else None
    verdict = (str(row["input"]), page, status, bool(row["valid"]), str(row["reason"]), category, claimed_party)
    permit = row.get("permit")
    if not isinstance(permit, dict):
        return RowFacts((*verdict, False, *(None,) * 10))
    stamp, number = permit.get("security_stamp"), str(permit["number"])
    replaced = (permit.get("replaces") or {}).get("number")
    replaces = number_key(str(replaced)) if replaced else None
    document = (content_key(permit), permit["authority"]["country"], number, number_key(number),
                mark_key(stamp), stamp, permit["issued"], replaces, signer.get("kid"),
                row.get("payload_sha256"))  # fmt: skip
    lines = tuple(enumerate(permit["items"], start=1))
    return RowFacts(
        (*verdict, True, *document),
        tuple(_line_columns(number, line) for number, line in lines),
        tuple(
            (number, str(mark["kind"]).casefold(), key, str(mark["id"]))
            for number, line in lines
            for mark in line.get("marks") or ()
            if (key := mark_key(str(mark["id"])))
        ),
    )


def content_key(permit: dict[str, Any]) -> str:
    """What makes two rows one signed document: the SHA-256 of the permit's signed fields (compact JSON, keys
    sorted).

    Not the hash of the QR text: one signed permit has many QR texts (another DEFLATE encoder, unused padding
    bits, an ECDSA signature (r, s) also valid as (r, n - s)), and each verifies as that same permit."""
    return hashlib.sha256(orjson.dumps(permit, option=orjson.OPT_SORT_KEYS)).hexdigest()  # 9x json.dumps


def _line_columns(number: int, line: dict[str, Any]) -> tuple[Any, ...]:
    species = str(line["scientific_name"])
    origin = _reference(line.get("origin"))
    last = _reference(line.get("last_reexport"))
    return (number, species, species_key(species), str(line.get("term", "")), str(line.get("unit", "NUM")),
            str(line["quantity"]), *origin, *last)  # fmt: skip


def _reference(reference: dict[str, Any] | None) -> tuple[str | None, str | None, str | None]:
    """A cited document (Box 12, 12a) as (Party, number as written, number as compared)."""
    if not reference:
        return None, None, None
    number = str(reference["number"])
    return str(reference["country"]), number, number_key(number)


def _register_columns(entry: Issued) -> tuple[str | None, ...]:
    """A ``registered`` row: the entry's Party, number (as written and compared), stamp (as compared and written),
    issue date, signing key and the SHA-256 of its QR text as issued."""
    stamp = entry.security_stamp
    return (entry.party, entry.number, number_key(entry.number), mark_key(stamp), stamp,
            entry.issued_on.isoformat(), entry.kid, entry.payload_hash)  # fmt: skip


def species_key(name: str) -> str:
    """A scientific name as compared: case and spacing ignored."""
    return " ".join(name.split()).casefold()


SCHEMA = """
CREATE TABLE rows (
    seq INTEGER PRIMARY KEY, input TEXT NOT NULL, page INTEGER, place TEXT, status TEXT NOT NULL,
    valid INTEGER NOT NULL, reason TEXT NOT NULL, category TEXT NOT NULL, claimed_party TEXT,
    authenticated INTEGER NOT NULL, content TEXT, party TEXT, number TEXT, number_key TEXT, stamp TEXT,
    stamp_written TEXT, issued TEXT, replaces_key TEXT, kid TEXT, payload TEXT, family TEXT
);
CREATE TABLE families (party TEXT NOT NULL, number_key TEXT NOT NULL, family TEXT NOT NULL,
                       PRIMARY KEY (party, number_key)) WITHOUT ROWID;
CREATE TABLE lines (
    seq INTEGER NOT NULL, line INTEGER NOT NULL, species TEXT NOT NULL, species_key TEXT NOT NULL,
    term TEXT NOT NULL, unit TEXT NOT NULL, quantity TEXT NOT NULL, origin_country TEXT, origin_number TEXT,
    origin_key TEXT, last_country TEXT, last_number TEXT, last_key TEXT
);
CREATE TABLE marks (seq INTEGER NOT NULL, line INTEGER NOT NULL, kind TEXT NOT NULL, mark TEXT NOT NULL,
                    written TEXT NOT NULL);
CREATE TABLE done (input TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE register_parties (party TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE registered (party TEXT NOT NULL, number TEXT NOT NULL, number_key TEXT NOT NULL, stamp TEXT,
                         stamp_written TEXT, issued TEXT NOT NULL, kid TEXT NOT NULL, payload TEXT NOT NULL);
"""

ROW_FACTS = (
    "status, valid, reason, category, claimed_party, authenticated, content, party, number, number_key, stamp, "
    "stamp_written, issued, replaces_key, kid, payload"
)
"""The ``rows`` columns after ``input`` and ``page`` (``place`` is filled by ``BatchIndex.name_places``)."""

ANALYSIS_INDEXES = """
CREATE INDEX IF NOT EXISTS rows_number_key ON rows (party, number_key);
CREATE INDEX IF NOT EXISTS rows_content ON rows (content, payload);
CREATE INDEX IF NOT EXISTS rows_replaces ON rows (party, replaces_key);
CREATE INDEX IF NOT EXISTS rows_family ON rows (party, family);
CREATE INDEX IF NOT EXISTS lines_seq ON lines (seq);
CREATE INDEX IF NOT EXISTS marks_mark ON marks (mark);
CREATE INDEX IF NOT EXISTS registered_number_key ON registered (party, number_key);
"""
"""Built once every row is in (cheaper than maintaining them row by row)."""
FLUSH_ROWS = 2000
NOT_VALID_LISTED = 500
"""How many NOT VALID rows the HTML page lists by name (all are in the report)."""


@dataclass(frozen=True)
class Summary:
    """Totals of a whole report for the terminal table and the HTML page; each list is (label, count)."""

    rows: int
    valid: int
    by_status: list[tuple[str, int]]
    top_reasons: list[tuple[str, int]]
    failures_by_reason: list[tuple[str, int]]
    failures_by_party: list[tuple[str, int]]
    failures_by_species: list[tuple[str, int]]
    failures_by_month: list[tuple[str, int]]
    first_not_valid: list[tuple[str, str, str, str]]
    """The first ``NOT_VALID_LISTED`` NOT VALID rows: (input and page, "PARTY NUMBER" or "", status,
    reason)."""

    @property
    def not_valid(self) -> int:
        return self.rows - self.valid


class BatchIndex:
    """The index of one audit, in a temporary SQLite file in ``folder`` (deleted by ``close``)."""

    def __init__(self, folder: Path) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix=".cites-audit-index-", dir=folder)
        self.database = sqlite3.connect(Path(self._folder.name) / "index.sqlite")
        self.database.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
        self.rows = 0
        self._places_named = -1
        self._rows: list[tuple[Any, ...]] = []
        self._lines: list[tuple[Any, ...]] = []
        self._marks: list[tuple[Any, ...]] = []

    def __enter__(self) -> BatchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.database.close()
        self._folder.cleanup()

    def add(self, facts: Iterable[RowFacts]) -> None:
        """Add rows, in report order (written in batches of ``FLUSH_ROWS``)."""
        for fact in facts:
            self.rows += 1
            seq = self.rows
            self._rows.append((seq, *fact.row))
            self._lines.extend((seq, *line) for line in fact.lines)
            self._marks.extend((seq, *mark) for mark in fact.marks)
        if len(self._rows) >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        with self.database:
            self.database.executemany(
                f"INSERT INTO rows (seq, input, page, {ROW_FACTS}) VALUES ({', '.join('?' * 19)})", self._rows
            )
            self.database.executemany(f"INSERT INTO lines VALUES ({', '.join('?' * 13)})", self._lines)
            self.database.executemany("INSERT INTO marks VALUES (?, ?, ?, ?, ?)", self._marks)
        self._rows, self._lines, self._marks = [], [], []

    def remember_inputs(self) -> None:
        """Note the inputs of the rows so far as done (``has_input``): those a resumed audit skips."""
        self._flush()
        with self.database:
            self.database.execute("INSERT OR IGNORE INTO done SELECT input FROM rows")

    def inputs_done(self) -> int:
        """How many inputs ``remember_inputs`` noted."""
        return int(self.database.execute("SELECT count(*) FROM done").fetchone()[0])

    def has_input(self, reference: str) -> bool:
        """True if ``remember_inputs`` noted rows of this input."""
        return self.database.execute("SELECT 1 FROM done WHERE input = ?", (reference,)).fetchone() is not None

    def add_register(self, party: str, entries: Iterable[Issued]) -> None:
        """Add ``party``'s issuing register (``--register``): the cross-permit pass then compares the batch's
        permits of that Party with it."""
        self._flush()
        with self.database:
            self.database.execute("INSERT OR IGNORE INTO register_parties VALUES (?)", (party,))
            self.database.executemany(
                "INSERT INTO registered VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (_register_columns(entry) for entry in entries),
            )

    def prepare_analysis(self) -> sqlite3.Connection:
        """Name each row's place and family and build the indexes the cross-permit queries need; returns the
        connection they run on."""
        self._name_places()
        self._name_families()
        self.database.executescript(ANALYSIS_INDEXES)
        return self.database

    def _name_families(self) -> None:
        """Each document's family (``rows.family``; ``families`` also names replaced documents not in the batch):
        a document and those it replaces or is replaced by (Box 5), of one Party, named by the least of their
        number keys (a number key for a document in no replacement). One family covers one set of specimens: the
        re-export check counts what cites any of them against one quantity."""
        links = self.database.execute(
            "SELECT DISTINCT party, number_key, replaces_key FROM rows WHERE authenticated AND replaces_key IS NOT NULL"
        ).fetchall()
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def root(document: tuple[str, str]) -> tuple[str, str]:
            while parent.setdefault(document, document) != document:
                document = parent[document]
            return document

        for party, key, replaced in links:
            first, second = sorted((root((party, key)), root((party, replaced))))
            parent[second] = first
        with self.database:
            self.database.execute("DELETE FROM families")
            self.database.executemany(
                "INSERT INTO families VALUES (?, ?, ?)",
                ((party, key, root((party, key))[1]) for party, key in list(parent)),
            )
            self.database.execute(
                "UPDATE rows SET family = coalesce((SELECT f.family FROM families f WHERE f.party = rows.party "
                "AND f.number_key = rows.number_key), number_key) WHERE authenticated"
            )

    def _name_places(self) -> None:
        """Where findings and the HTML page say a row was read: its input, and the page when the input is a file
        with permits on several pages (a scanned bundle; not the one page of an issued PDF)."""
        self._flush()
        if self._places_named == self.rows:  # the findings and the summary both need them: named once
            return
        with self.database:
            self.database.execute(
                "UPDATE rows SET place = CASE WHEN input IN (SELECT input FROM rows WHERE page IS NOT NULL "
                "GROUP BY input HAVING count(DISTINCT page) > 1) THEN input || ' page ' || page ELSE input END"
            )
        self._places_named = self.rows

    def summary(self, top: int = 10) -> Summary:
        """Totals by status, the commonest failure reasons, and failures by reason, Party, species and month."""
        self._name_places()
        query = self.database.execute
        rows, valid = query("SELECT count(*), coalesce(sum(valid), 0) FROM rows").fetchone()
        failures_by_species = query(
            "SELECT min(l.species), count(DISTINCT l.seq) AS n FROM rows r JOIN lines l ON l.seq = r.seq "
            "WHERE NOT r.valid GROUP BY l.species_key "
            "UNION ALL SELECT ?, count(*) FROM rows WHERE NOT valid AND NOT authenticated "
            "ORDER BY n DESC, 1",
            (NOT_AUTHENTICATED,),
        ).fetchall()
        return Summary(
            rows=rows,
            valid=valid,
            by_status=self._counts("status", "1"),
            top_reasons=query(  # by status and rule, with the first reason as the example (reasons name paths, dates)
                "SELECT category || ': ' || (SELECT reason FROM rows x WHERE NOT x.valid AND x.category = r.category "
                "ORDER BY seq LIMIT 1), count(*) AS n FROM rows r WHERE NOT valid GROUP BY category "
                "ORDER BY n DESC, category LIMIT ?",
                (top,),
            ).fetchall(),
            failures_by_reason=self._counts("category", "NOT valid"),
            failures_by_party=self._counts(f"coalesce(party, claimed_party, '{NOT_AUTHENTICATED}')", "NOT valid"),
            failures_by_species=[(label, count) for label, count in failures_by_species if count],
            failures_by_month=sorted(
                self._counts(f"coalesce(substr(issued, 1, 7), '{NOT_AUTHENTICATED}')", "NOT valid"),
                key=lambda item: (item[0] == NOT_AUTHENTICATED, item[0]),  # months in order, then the rest
            ),
            first_not_valid=query(
                "SELECT place, coalesce(party || ' ' || number, ''), status, reason FROM rows WHERE NOT valid "
                "ORDER BY seq LIMIT ?",
                (NOT_VALID_LISTED,),
            ).fetchall(),
        )

    def _counts(self, label: str, where: str, limit: int = -1) -> list[tuple[str, int]]:
        return self.database.execute(
            f"SELECT {label} AS label, count(*) AS n FROM rows WHERE {where} GROUP BY label ORDER BY n DESC, label "
            "LIMIT ?",
            (limit,),
        ).fetchall()
