"""The compiled registry: an indexed SQLite file built atomically from source records, and fast lookups on it.

A registry file is never modified in place: ``Registry.build`` writes a temporary file next to the target and
renames it over it, so readers always see a complete registry. Lookups keep one read-only connection and cache
name resolution and each taxon's listed lineage, so a warm lookup costs one replay of a few listing changes.

A name names one taxon, except a synonym that the sources give for several taxa (482 names in the 2017 Checklist
Index, such as ``Acipenser lichtensteinii``, of an Appendix I and an Appendix II sturgeon): the registry keeps
every taxon it names, and a lookup judges it by the strictest of them (fail closed) and names them all. An
accepted name always wins over a synonym of the same spelling: it names its own taxon only. The CITES standard
nomenclature (Res. Conf. 12.3) has permits name taxa by their accepted names, so that is what a permit writing
one means; reading it as every taxon it was once a synonym of would hold hundreds of accepted names (355 in the
2017 Index, ``Gopherus agassizii`` among them) to a stricter relative's listing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import os
import re
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from permits.errors import ConfigurationError, InputError
from permits.fileio import ensure_folder
from permits.identifiers import ascii_look_alike
from permits.registry.model import (
    APPENDICES,
    SPECIES_RANKS,
    Candidate,
    ChangeType,
    CommonName,
    FirstListing,
    ListingChange,
    LookupResult,
    RegistryInfo,
    Taxon,
    TaxonRecord,
    normalize_name,
)
from permits.registry.resolve import Level, Resolution, resolve, sort_for_replay

SCHEMA_VERSION = "4"
SUGGESTION_LIMIT = 5
SUGGESTION_CUTOFF = 75.0

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE taxon (
    id INTEGER PRIMARY KEY, source_id TEXT, full_name TEXT NOT NULL, rank TEXT NOT NULL, kingdom TEXT,
    phylum TEXT, class TEXT, "order" TEXT, family TEXT, subfamily TEXT, genus TEXT, species TEXT,
    subspecies TEXT, author TEXT, lineage TEXT NOT NULL
);
CREATE TABLE name (
    normalized TEXT NOT NULL, name TEXT NOT NULL, taxon_id INTEGER NOT NULL, synonym INTEGER NOT NULL,
    PRIMARY KEY (normalized, taxon_id)
) WITHOUT ROWID;
CREATE TABLE common_name (taxon_id INTEGER NOT NULL, name TEXT NOT NULL, language TEXT NOT NULL);
CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE listing_change (
    taxon_id INTEGER NOT NULL, seq INTEGER NOT NULL, appendix TEXT NOT NULL, change_type TEXT NOT NULL,
    effective_at TEXT, party TEXT, annotation_id INTEGER, annotation_symbol TEXT, hash_id INTEGER,
    included_countries TEXT NOT NULL, excluded_countries TEXT NOT NULL, excluded_taxa TEXT NOT NULL,
    listed_under TEXT, unread_populations INTEGER NOT NULL, PRIMARY KEY (taxon_id, seq)
) WITHOUT ROWID;
CREATE TABLE lineage (
    taxon_id INTEGER NOT NULL, depth INTEGER NOT NULL, ancestor_id INTEGER NOT NULL, PRIMARY KEY (taxon_id, depth)
) WITHOUT ROWID;
"""
_INDEXES = """
CREATE INDEX common_name_taxon ON common_name (taxon_id);
CREATE INDEX name_taxon ON name (taxon_id);
"""
_CHANGE_COLUMNS = (
    "c.appendix, c.change_type, c.effective_at, c.party, a.text, c.annotation_symbol, h.text, "
    "c.included_countries, c.excluded_countries, c.excluded_taxa, c.listed_under, c.unread_populations"
)
_NOTE_JOINS = "LEFT JOIN note a ON a.id = c.annotation_id LEFT JOIN note h ON h.id = c.hash_id"
_TAXON_COLUMNS = (
    'id, source_id, full_name, rank, kingdom, phylum, class, "order", family, subfamily, genus, species, '
    "subspecies, author"
)
_RESOLVE_NAME = (
    "SELECT n.name, t.id, t.full_name, t.rank, t.kingdom, t.lineage FROM name n JOIN taxon t ON t.id = n.taxon_id "
    "WHERE n.normalized = ? ORDER BY t.id"
)
_LEVELS = (
    f"SELECT l.depth, t.full_name, t.rank, {_CHANGE_COLUMNS} FROM lineage l JOIN taxon t ON t.id = l.ancestor_id "
    f"JOIN listing_change c ON c.taxon_id = l.ancestor_id {_NOTE_JOINS} WHERE l.taxon_id = ? "
    "ORDER BY l.depth, c.seq"
)
_SEP = "|"
_MEMBERS = (
    "SELECT t.full_name FROM taxon t WHERE (t.lineage LIKE ? ESCAPE '\\' OR t.lineage LIKE ? ESCAPE '\\') "
    "AND EXISTS (SELECT 1 FROM listing_change c WHERE c.taxon_id = t.id) "
    "ORDER BY NOT EXISTS (SELECT 1 FROM listing_change c WHERE c.taxon_id = t.id AND c.appendix = 'I'), t.id"
)


@dataclass(frozen=True, slots=True)
class _Match:
    """A resolved name: what was matched and the accepted taxon behind it."""

    matched_name: str
    taxon_id: int
    accepted_name: str
    rank: str
    kingdom: str | None
    lineage: frozenset[str]


_HYBRID_MARK = re.compile(r"\s+[x\u00d7]\s+", re.IGNORECASE)  # x, X or the multiplication sign


def _strictness(appendix: str | None) -> int:
    """Sort key of an Appendix, strictest first; not listed (None) last."""
    return APPENDICES.index(appendix) if appendix else len(APPENDICES)


def _stricter(appendix: str, than: str | None) -> bool:
    return _strictness(appendix) < _strictness(than)


def _hybrid_parents(parents: list[str]) -> list[str]:
    """The parents of a hybrid as full names: one written without its genus ("macao") or with it abbreviated
    ("A. macao") takes the first parent's."""
    genus = (parents[0].split() or [""])[0]
    named = []
    for parent in parents:
        words = parent.split()
        if words and re.fullmatch(r"[A-Z]\.", words[0]):
            words[0] = genus
        elif words and words[0][0].islower():
            words.insert(0, genus)
        named.append(" ".join(words))
    return named


_RANK_WORDS = frozenset({"subsp", "ssp", "var", "f", "forma", "cf", "aff", "sp", "spp"})


def _name_words(name: str) -> list[str]:
    """The genus and the lower-case epithets of a scientific name as written, without author text, rank words,
    punctuation, invisible characters, accents or look-alike letters: "Manis jávanica Desmarest, 1822" gives
    ``["Manis", "javanica"]``."""
    plain = "".join(
        ascii_look_alike(char)
        for char in unicodedata.normalize("NFD", name)
        if unicodedata.category(char) not in ("Mn", "Cf")
    )
    words = [word for word in re.findall(r"[A-Za-z]+(?:-[a-z]+)*", plain) if word.lower() not in _RANK_WORDS]
    if not words:
        return []
    return [words[0], *itertools.takewhile(str.islower, words[1:])]


def _read_as(read: LookupResult, unknown: LookupResult, note: str) -> LookupResult:
    """``read``'s listing for the unknown name of ``unknown`` (which keeps its query and suggestions): still
    unknown (``accepted_name`` None), with ``matched_name`` the registry name it was read as."""
    return dataclasses.replace(
        read,
        query=unknown.query,
        accepted_name=None,
        annotation=f"name not in the registry; {note}" + (f"; {read.annotation}" if read.annotation else ""),
        suggestions=unknown.suggestions,
    )


def _appendix_iii_parties(resolution: Resolution, origin: str | None) -> tuple[str | None, tuple[str, ...]]:
    """The Appendix III listing Party that applies to ``origin`` (or the only one), and all of them."""
    parties = tuple(sorted({e.party for e in resolution.entries if e.appendix == "III" and e.party}))
    return (origin if origin in parties else parties[0] if len(parties) == 1 else None), parties


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens ``path`` read-only (percent-encoded, so any file name works)."""
    return f"{path.resolve().as_uri()}?mode=ro"


class _NameIndex:
    """All known names (normalized and as written) for suggestions, also grouped by first letter."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.normalized = [row[0] for row in rows]
        self.display = [row[1] for row in rows]
        self.by_initial: dict[str, tuple[list[str], list[str]]] = {}
        for normalized, display in rows:
            group = self.by_initial.setdefault(normalized[:1], ([], []))
            group[0].append(normalized)
            group[1].append(display)


def _join(values: Iterable[str]) -> str:
    return _SEP.join(values)


def _split(value: str) -> tuple[str, ...]:
    return tuple(value.split(_SEP)) if value else ()


def _change_row(change: ListingChange, notes: dict[str, int]) -> tuple[Any, ...]:
    """The stored form of a change; annotation texts (often shared by thousands of taxa) go to ``notes``."""
    return (
        change.appendix,
        change.change_type.value,
        change.effective_at.isoformat() if change.effective_at else None,
        change.party,
        notes.setdefault(change.annotation, len(notes) + 1) if change.annotation else None,
        change.annotation_symbol,
        notes.setdefault(change.hash_annotation, len(notes) + 1) if change.hash_annotation else None,
        _join(change.included_countries),
        _join(change.excluded_countries),
        _join(change.excluded_taxa),
        change.listed_under,
        int(change.unread_populations),
    )


def _change_from_row(row: Sequence[Any]) -> ListingChange:
    return ListingChange(
        appendix=row[0],
        change_type=ChangeType(row[1]),
        effective_at=dt.date.fromisoformat(row[2]) if row[2] else None,
        party=row[3],
        annotation=row[4],
        annotation_symbol=row[5],
        hash_annotation=row[6],
        included_countries=_split(row[7]),
        excluded_countries=_split(row[8]),
        excluded_taxa=_split(row[9]),
        listed_under=row[10],
        unread_populations=bool(row[11]),
    )


def _merge_records(records: Iterable[TaxonRecord]) -> tuple[dict[str, TaxonRecord], list[Taxon]]:
    """Accepted records by normalized name (a later record of the same taxon replaces an earlier one), and the
    synonym records."""
    accepted: dict[str, TaxonRecord] = {}
    synonyms: list[Taxon] = []
    for record in records:
        if record.taxon.accepted:
            key = normalize_name(record.taxon.full_name)
            accepted.pop(key, None)
            accepted[key] = record
        else:
            synonyms.append(record.taxon)
    return accepted, synonyms


def _write(connection: sqlite3.Connection, records: Iterable[TaxonRecord], meta: dict[str, str]) -> dict[str, int]:
    """Insert every table of a new registry; ``lineage`` keeps, per taxon, its listed ancestors nearest first."""
    accepted, synonym_records = _merge_records(records)
    ids = {key: number for number, key in enumerate(accepted, start=1)}
    listed = {ids[key] for key, record in accepted.items() if record.listing_changes}
    taxa, names, commons, changes, lineages = [], [], [], [], []
    notes: dict[str, int] = {}
    synonym_names: list[tuple[str, str, int, int]] = []
    for key, record in accepted.items():
        taxon, taxon_id = record.taxon, ids[key]
        ancestors = taxon.lineage()
        lineage_names = [key, *(normalize_name(name) for name in ancestors)]
        taxa.append(
            (taxon_id, taxon.id, taxon.full_name, taxon.rank, taxon.kingdom, taxon.phylum, taxon.class_,
             taxon.order, taxon.family, taxon.subfamily, taxon.genus, taxon.species, taxon.subspecies,
             taxon.author, _join(lineage_names))
        )  # fmt: skip
        names.append((key, taxon.full_name, taxon_id, 0))
        synonym_names += [(normalize_name(name), name, taxon_id, 1) for name in taxon.synonyms]
        commons += [(taxon_id, common.name, common.language) for common in taxon.common_names]
        changes += [
            (taxon_id, seq, *_change_row(change, notes))
            for seq, change in enumerate(sort_for_replay(record.listing_changes))
        ]
        chain = [taxon_id] + [ids[n] for n in lineage_names[1:] if n in ids]
        lineages += [(taxon_id, depth, ancestor) for depth, ancestor in enumerate(chain) if ancestor in listed]
    for synonym in synonym_records:
        target = ids.get(normalize_name(synonym.accepted_name or ""))
        if target is not None:
            synonym_names.append((normalize_name(synonym.full_name), synonym.full_name, target, 1))
    connection.executemany("INSERT INTO taxon VALUES (" + ", ".join("?" * 15) + ")", taxa)
    connection.executemany("INSERT INTO name VALUES (?, ?, ?, ?)", names)
    # A synonym keeps every taxon it names, unless it is spelled as an accepted name: that one wins.
    connection.executemany(
        "INSERT OR IGNORE INTO name VALUES (?, ?, ?, ?)", (row for row in synonym_names if row[0] not in ids)
    )
    synonyms, ambiguous = connection.execute(
        "SELECT count(*), coalesce(sum(taxa > 1), 0) FROM "
        "(SELECT count(*) AS taxa FROM name WHERE synonym = 1 GROUP BY normalized)"
    ).fetchone()
    connection.executemany("INSERT INTO common_name VALUES (?, ?, ?)", commons)
    connection.executemany("INSERT INTO note VALUES (?, ?)", ((number, text) for text, number in notes.items()))
    connection.executemany(f"INSERT INTO listing_change VALUES (?, ?, {', '.join('?' * 12)})", changes)
    connection.executemany("INSERT INTO lineage VALUES (?, ?, ?)", lineages)
    counts = {
        "taxa": len(taxa),
        "names": len(names) + synonyms,
        "synonyms": synonyms,
        "ambiguous_names": ambiguous,
        "listing_changes": len(changes),
    }
    rows = {**meta, **{key: str(value) for key, value in counts.items()}, "schema_version": SCHEMA_VERSION}
    connection.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())
    return counts


class Registry:
    """A compiled species registry (read-only). Open it with ``open``, create one with ``build``."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection = connection
        self._meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        if self._meta.get("schema_version") != SCHEMA_VERSION:
            connection.close()
            raise ConfigurationError(
                f"registry {path} was built by another version of cites (schema "
                f"{self._meta.get('schema_version')}, expected {SCHEMA_VERSION}); import it again"
            )
        self._matches = lru_cache(maxsize=65536)(self._load_matches)
        self._levels = lru_cache(maxsize=16384)(self._load_levels)
        self._names: _NameIndex | None = None

    @classmethod
    def open(cls, path: Path) -> Registry:
        """Open an existing registry file read-only."""
        if not path.is_file():
            raise InputError(f"{path}: no species registry here (run 'cites registry import')")
        try:
            connection = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
            return cls(path, connection)
        except sqlite3.DatabaseError as error:
            raise InputError(f"{path}: not a species registry ({error})") from None

    @classmethod
    def build(
        cls,
        path: Path,
        records: Iterable[TaxonRecord],
        source_description: str,
        as_of: dt.date | None,
        *,
        origin: str = "imported",
        data_version: str | None = None,
    ) -> Registry:
        """Compile ``records`` into a new registry at ``path`` (atomically replacing any file there).

        When several records describe the same accepted name, the last one wins; synonym records whose
        accepted name is not among the records are dropped, and so are synonyms spelled as an accepted name. A
        synonym of several taxa names them all (counted in ``ambiguous_names``).
        """
        ensure_folder(path.parent)
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        except OSError as error:  # a read-only CITES_HOME
            raise ConfigurationError(f"{path}: cannot write the species registry ({error.strerror or error})") from None
        os.close(fd)
        meta = {
            "source": source_description,
            "as_of": as_of.isoformat() if as_of else "",
            "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "origin": origin,
            "data_version": data_version or "",
        }
        try:
            connection = sqlite3.connect(tmp_name, isolation_level=None)
            try:
                connection.execute("PRAGMA journal_mode = OFF")
                connection.execute("PRAGMA synchronous = OFF")
                connection.executescript(_SCHEMA)
                connection.execute("BEGIN")
                _write(connection, records, meta)
                connection.execute("COMMIT")
                connection.executescript(_INDEXES)
            finally:
                connection.close()
            with open(tmp_name, "rb") as handle:
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        return cls.open(path)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lookups -------------------------------------------------------------------------------------------

    def _load_matches(self, key: str) -> tuple[_Match, ...]:
        """Every taxon the normalized name ``key`` names: none, one, or several for an ambiguous synonym."""
        rows = self._connection.execute(_RESOLVE_NAME, (key,)).fetchall()
        return tuple(_Match(row[0], row[1], row[2], row[3], row[4], frozenset(_split(row[5]))) for row in rows)

    def _only_match(self, name: str) -> _Match | None:
        """The one taxon ``name`` names; None when it names none, or several (an ambiguous synonym)."""
        matches = self._matches(normalize_name(name))
        return matches[0] if len(matches) == 1 else None

    def _load_levels(self, taxon_id: int) -> tuple[Level, ...]:
        levels: list[Level] = []
        depth, name, rank, changes = -1, "", "", list[ListingChange]()
        for row in self._connection.execute(_LEVELS, (taxon_id,)):
            if row[0] != depth:
                if changes:
                    levels.append(Level(name, rank, tuple(changes)))
                depth, name, rank, changes = row[0], row[1], row[2], []
            changes.append(_change_from_row(row[3:]))
        if changes:
            levels.append(Level(name, rank, tuple(changes)))
        return tuple(levels)

    def resolve_name(self, name: str) -> str | None:
        """The accepted name for ``name`` (itself, or the taxon it is a synonym of); None if unknown, or a
        synonym of several taxa (``listing_at`` names them in ``candidates``)."""
        match = self._only_match(name)
        return match.accepted_name if match else None

    def listing_at(self, name: str, on: dt.date, origin_country: str | None = None) -> LookupResult:
        """The listing of ``name`` in force on ``on`` for specimens originating in ``origin_country``."""
        origin = origin_country.strip().upper() if origin_country else None
        return self._named(name, on, origin) or self._unknown(name, on, origin)

    def _named(self, name: str, on: dt.date, origin: str | None) -> LookupResult | None:
        """The listing of a name the registry has (None: no such name). A synonym of several taxa has the
        strictest one's listing (fail closed), a note saying so, and every taxon as ``candidates``, strictest
        first (the first of equals in the registry's order)."""
        readings = {
            match.accepted_name: self._result(name, on, origin, match) for match in self._matches(normalize_name(name))
        }
        if len(readings) < 2:
            return next(iter(readings.values()), None)
        ranked = sorted(readings.items(), key=lambda item: _strictness(item[1].appendix))
        strictest = ranked[0][1]
        note = f"a synonym of {len(ranked)} taxa; judged as the strictest, {strictest.accepted_name}"
        return dataclasses.replace(
            strictest,
            annotation=note + (f"; {strictest.annotation}" if strictest.annotation else ""),
            candidates=tuple(Candidate(accepted, reading.appendix) for accepted, reading in ranked),
            equally_strict=tuple(
                reading
                for _, reading in ranked[1:]
                if reading.appendix == strictest.appendix and reading.annotation != strictest.annotation
            ),
        )

    def _result(self, query: str, on: dt.date, origin: str | None, match: _Match) -> LookupResult:
        """The listing of the taxon ``match`` names."""
        resolution = resolve(self._levels(match.taxon_id), match.lineage, on, origin)
        entry, level = resolution.entry, resolution.level
        party, parties = _appendix_iii_parties(resolution, origin)
        notes = (resolution.note, entry.annotation if entry else None)
        return LookupResult(
            query=query,
            on=on,
            origin=origin,
            accepted_name=match.accepted_name,
            matched_name=match.matched_name,
            rank=match.rank,
            kingdom=match.kingdom,
            appendix=resolution.appendix,
            listed_under=(entry.listed_under or level.label) if entry and level else None,
            party=party,
            parties=parties,
            annotation="; ".join(text for text in notes if text) or None,
            annotation_symbol=entry.annotation_symbol if entry else None,
            effective_at=entry.effective_at if entry else None,
            reservations=resolution.reservations,
        )

    def _unknown(self, query: str, on: dt.date, origin: str | None) -> LookupResult:
        """No such name: close names as suggestions, and the listing the name falls under when the registry
        can tell (fail closed), with a note saying how it was read (``matched_name`` is the name it was read as):

        - a hybrid ("Ara ararauna x Ara macao", "... X macao") has the strictest of its parents' listings, and
          a parent the registry cannot read leaves the hybrid unknown;
        - a name the registry knows once author text, punctuation, accents, invisible characters and look-alike
          letters are left out, or once cut to its species (a subspecies the registry lacks), has that name's;
        - a species of a known genus that a genus or higher-taxon listing covers ("Dalbergia spp.") has that
          listing, which covers every species of the genus, named in the registry or not.
        """
        parents = _HYBRID_MARK.split(query)
        if len(parents) > 1:
            readings = [self.listing_at(parent, on, origin) for parent in _hybrid_parents(parents)]
            listed = [reading for reading in readings if reading.appendix]
            if not listed or any(reading.appendix is None and not reading.found for reading in readings):
                return self._not_read(query, on, origin)
            strictest = min(listed, key=lambda reading: _strictness(reading.appendix))
            note = f"a hybrid; judged as its parent {strictest.matched_name or strictest.query}"
            return _read_as(strictest, self._not_read(query, on, origin), note)
        words = _name_words(query)
        for size in (3, 2, 1):
            if len(words) < size or (read := self._named(" ".join(words[:size]), on, origin)) is None:
                continue
            if size == 1 < len(words):  # a species the registry lacks, of a known genus
                if read.appendix is None:
                    break  # the genus is not listed: that says nothing of its species
                note = (
                    f"its genus {read.accepted_name} is in Appendix {read.appendix} ({read.listed_under}), "
                    "which covers every species of the genus"
                )
            else:
                note = f"read as {read.accepted_name}"
            return _read_as(read, self._not_read(query, on, origin), note)
        return self._not_read(query, on, origin)

    def _not_read(self, query: str, on: dt.date, origin: str | None) -> LookupResult:
        return LookupResult(query=query, on=on, origin=origin, suggestions=self.suggest(query))

    def _read_matches(self, name: str) -> tuple[_Match, ...]:
        """The taxa ``name`` names, as written or once author text, punctuation and look-alike letters are left
        out ("Manis spp." typed with a Cyrillic i, "Manis javanica Desmarest, 1822")."""
        matches = self._matches(normalize_name(name))
        if not matches and (words := _name_words(name)):
            matches = self._matches(normalize_name(" ".join(words)))
        return matches

    def strictest_member(self, name: str, on: dt.date, origin_country: str | None = None) -> LookupResult | None:
        """For a higher taxon (genus, family, ...): the strictest listing on ``on``, for specimens originating in
        ``origin_country``, of the taxa within it that have a listing of their own ("Manis javanica" in
        Appendix I within "Manis spp."); None for a species, an unknown name, or when none of its members has
        a listing of its own. Members with an Appendix I listing are read first, and the first one in force
        ends the search (nothing is stricter): a family of thousands of members costs one scan. A synonym of
        several higher taxa has the strictest member of any of them."""
        strictest: LookupResult | None = None
        for match in self._read_matches(name):
            if match.rank in SPECIES_RANKS:
                continue
            key = normalize_name(match.accepted_name).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            for (member,) in self._connection.execute(_MEMBERS, (f"%{_SEP}{key}{_SEP}%", f"%{_SEP}{key}")):
                result = self.listing_at(member, on, origin_country)
                if result.appendix and (strictest is None or _stricter(result.appendix, strictest.appendix)):
                    strictest = result
                if result.appendix == "I":
                    return result
        return strictest

    def suggest(self, name: str, limit: int = SUGGESTION_LIMIT) -> list[str]:
        """Known names close to ``name`` (rapidfuzz ratio of the normalized names), best first.

        Names with the same first letter are searched first; all names only when none of them is close.
        """
        from rapidfuzz import fuzz, process

        if self._names is None:
            rows = self._connection.execute("SELECT normalized, min(name) FROM name GROUP BY normalized").fetchall()
            self._names = _NameIndex(rows)
        query = normalize_name(name)
        index = self._names
        for choices, display in (index.by_initial.get(query[:1], ([], [])), (index.normalized, index.display)):
            found = process.extract(query, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=SUGGESTION_CUTOFF)
            if found:
                return [display[position] for _choice, _score, position in found]
        return []

    def first_listed(self, name: str, origin_country: str | None = None) -> FirstListing:
        """When ``name`` (specimens originating in ``origin_country``) was first in any Appendix: the
        date from which the Convention applies to it (a pre-Convention specimen was acquired before it). A
        synonym of several taxa has the earliest of theirs (fail closed), undated when one of them is."""
        matches = self._read_matches(name)
        if not matches:
            return FirstListing(known=False)
        origin = origin_country.strip().upper() if origin_country else None
        firsts = [self._first_listed(match, origin) for match in matches]
        if any(first.undated for first in firsts):
            return FirstListing(known=True, undated=True)
        return FirstListing(known=True, on=min((first.on for first in firsts if first.on), default=None))

    def _first_listed(self, match: _Match, origin: str | None) -> FirstListing:
        levels = self._levels(match.taxon_id)
        if resolve(levels, match.lineage, dt.date.min, origin).appendix is not None:
            return FirstListing(known=True, undated=True)
        dates = sorted({change.effective_at for level in levels for change in level.changes if change.effective_at})
        listed = (day for day in dates if resolve(levels, match.lineage, day, origin).appendix is not None)
        return FirstListing(known=True, on=next(listed, None))

    # -- contents ------------------------------------------------------------------------------------------

    def taxon(self, name: str) -> Taxon | None:
        """The accepted taxon ``name`` resolves to, with its synonyms and common names; None if unknown, or a
        synonym of several taxa."""
        match = self._only_match(name)
        if match is None:
            return None
        row = self._connection.execute(f"SELECT {_TAXON_COLUMNS} FROM taxon WHERE id = ?", (match.taxon_id,))
        return self._taxon_from_row(row.fetchone())

    def _taxon_from_row(self, row: Sequence[Any]) -> Taxon:
        taxon_id = row[0]
        synonyms = self._connection.execute(
            "SELECT name FROM name WHERE taxon_id = ? AND synonym = 1 ORDER BY name", (taxon_id,)
        )
        commons = self._connection.execute(
            "SELECT name, language FROM common_name WHERE taxon_id = ? ORDER BY rowid", (taxon_id,)
        )
        return Taxon(
            full_name=row[2],
            rank=row[3],
            kingdom=row[4],
            phylum=row[5],
            class_=row[6],
            order=row[7],
            family=row[8],
            subfamily=row[9],
            genus=row[10],
            species=row[11],
            subspecies=row[12],
            author=row[13],
            id=row[1],
            synonyms=tuple(name for (name,) in synonyms),
            common_names=tuple(CommonName(name, language) for name, language in commons),
        )

    def records(self) -> Iterator[TaxonRecord]:
        """Every taxon with its own listing history, as a source would yield it (used to merge imports)."""
        changes: dict[int, list[ListingChange]] = {}
        query = f"SELECT c.taxon_id, {_CHANGE_COLUMNS} FROM listing_change c {_NOTE_JOINS} ORDER BY c.taxon_id, c.seq"
        for row in self._connection.execute(query):
            changes.setdefault(row[0], []).append(_change_from_row(row[1:]))
        for row in self._connection.execute(f"SELECT {_TAXON_COLUMNS} FROM taxon ORDER BY id").fetchall():
            yield TaxonRecord(self._taxon_from_row(row), tuple(changes.get(row[0], ())))

    def info(self) -> RegistryInfo:
        """Source, as-of date and size of the registry."""
        meta = self._meta
        return RegistryInfo(
            path=str(self.path),
            source=meta.get("source", ""),
            as_of=dt.date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None,
            built_at=meta.get("built_at", ""),
            origin=meta.get("origin", ""),
            data_version=meta.get("data_version") or None,
            taxa=int(meta.get("taxa", 0)),
            names=int(meta.get("names", 0)),
            synonyms=int(meta.get("synonyms", 0)),
            ambiguous_names=int(meta.get("ambiguous_names", 0)),
            listing_changes=int(meta.get("listing_changes", 0)),
        )
