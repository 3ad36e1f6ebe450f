"""The registry's own YAML format ("cites-registry/1"), in which the embedded default registry is written.

A file has ``format``, ``data_version``, ``as_of``, ``source`` and a list of ``taxa``. Each taxon has a
``name`` and optionally ``rank`` (default SPECIES for two words, SUBSPECIES for three), ``parent`` (the entry
it inherits its classification from; species default to their genus entry), explicit classification fields
(``kingdom``, ``phylum``, ``class``, ``order``, ``family``, ``subfamily``, ``genus``), ``author``,
``synonyms``, ``common`` (language -> names) and ``listings``. A listing has ``appendix``, ``date`` (the
effective date), and optionally ``change`` (addition, deletion, reservation, withdrawal), ``party``,
``annotation``, ``symbol`` ("#15"), ``hash`` (the # annotation's text), ``only`` / ``except`` (ISO country
codes of the populations covered / not covered), ``exclude`` (taxa the listing does not cover),
``listed_under`` and ``note`` (a remark about the data, not part of the listing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from permits.errors import InputError
from permits.registry.model import ChangeType, CommonName, ListingChange, Taxon, TaxonRecord, normalize_name
from permits.registry.sources.assemble import default_rank
from permits.registry.sources.interface import RegistrySource
from permits.registry.sources.tabular import read_bytes

FORMAT = "cites-registry/1"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "registry" / "default.yaml"
LINE_KEY = "__line__"

_CHANGES = {
    "addition": ChangeType.ADDITION,
    "deletion": ChangeType.DELETION,
    "reservation": ChangeType.RESERVATION,
    "withdrawal": ChangeType.RESERVATION_WITHDRAWAL,
    "reservation_withdrawal": ChangeType.RESERVATION_WITHDRAWAL,
}
_RANK_FIELDS = {
    "KINGDOM": "kingdom",
    "PHYLUM": "phylum",
    "CLASS": "class",
    "ORDER": "order",
    "FAMILY": "family",
    "SUBFAMILY": "subfamily",
    "GENUS": "genus",
}
_CLASSIFICATION = tuple(_RANK_FIELDS.values())
_TAXON_KEYS = frozenset(
    {"name", "rank", "parent", "author", "synonyms", "common", "listings", "note", *_CLASSIFICATION}
)
_LISTING_KEYS = frozenset(
    {"appendix", "date", "change", "party", "annotation", "symbol", "hash", "only", "except", "exclude",
     "listed_under", "note"}
)  # fmt: skip


def data_version(path: Path = DEFAULT_PATH) -> str:
    """Version of a registry YAML file: its ``data_version`` plus a hash of its content."""
    content = read_bytes(path)
    found = re.search(rb"(?m)^data_version:\s*['\"]?([^'\"\s#]+)", content)
    label = found.group(1).decode() if found else "unversioned"
    return f"{label}+{hashlib.sha256(content).hexdigest()[:12]}"


def _load_yaml(path: Path) -> Any:
    """Parse YAML, recording in every mapping the line it starts on (under ``LINE_KEY``)."""
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[valid-type,misc]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
            mapping[LINE_KEY] = node.start_mark.line + 1
            return mapping

    try:
        return yaml.load(read_bytes(path).decode("utf-8-sig"), Loader=LineLoader)
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, TypeError, RecursionError) as error:
        # PyYAML raises ValueError for impossible dates (2020-13-01) and RecursionError for deep nesting.
        raise InputError(f"{path}: not valid YAML ({' '.join(str(error).split()) or type(error).__name__})") from None


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [" ".join(str(item).split()) for item in items if str(item).strip()]


class EmbeddedSource(RegistrySource):
    """A registry YAML file; by default the embedded default registry shipped with the package."""

    format_name = "cites-registry"

    def __init__(self, path: Path = DEFAULT_PATH) -> None:
        super().__init__(path)
        self.source_text = ""
        self.data_version = ""

    def records(self) -> Iterator[TaxonRecord]:
        document = _load_yaml(self.path)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise InputError(f"{self.path}: not a registry file (expected 'format: {FORMAT}')")
        as_of = document.get("as_of")
        self.as_of = as_of if isinstance(as_of, dt.date) else None
        self.source_text = " ".join(str(document.get("source", "")).split())
        self.data_version = str(document.get("data_version", ""))
        entries = [entry for entry in document.get("taxa") or [] if self._valid_entry(entry)]
        by_name = {normalize_name(str(entry["name"])): entry for entry in entries}
        for entry in entries:
            record = self._record(entry, by_name)
            if record is not None:
                yield record

    @property
    def description(self) -> str:
        return self.source_text or super().description

    def _valid_entry(self, entry: Any) -> bool:
        if not isinstance(entry, dict) or not entry.get("name"):
            line = entry.get(LINE_KEY) if isinstance(entry, dict) else None
            self.warn(line, "taxon entry without a name; skipped")
            return False
        unknown = sorted(str(key) for key in entry if key not in _TAXON_KEYS and key != LINE_KEY)
        if unknown:
            self.warn(entry[LINE_KEY], f"{entry['name']}: unknown key(s) {', '.join(unknown)} ignored")
        return True

    def _classification(self, entry: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> dict[str, str]:
        """Classification fields from the parent chain, overridden by the entry's own fields."""
        chain: list[dict[str, Any]] = []
        current: dict[str, Any] | None = entry
        while current is not None and current not in chain:
            chain.append(current)
            current = self._parent(current, by_name)
        fields: dict[str, str] = {}
        for ancestor in reversed(chain):
            rank_field = _RANK_FIELDS.get(self._rank(ancestor))
            if ancestor is not entry and rank_field:
                fields[rank_field] = str(ancestor["name"])
            fields.update({key: str(ancestor[key]) for key in _CLASSIFICATION if ancestor.get(key)})
        return fields

    def _parent(self, entry: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        name = str(entry["name"])
        words = name.split()
        parent = entry.get("parent") or (
            " ".join(words[:2]) if len(words) >= 3 else words[0] if len(words) == 2 else None
        )
        if parent is None:
            return None
        found = by_name.get(normalize_name(str(parent)))
        if found is None and entry.get("parent"):
            self.warn(entry[LINE_KEY], f"{name}: parent '{parent}' is not in the file")
        return found

    @staticmethod
    def _rank(entry: dict[str, Any]) -> str:
        return str(entry.get("rank") or default_rank(str(entry["name"]))).upper()

    def _record(self, entry: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> TaxonRecord | None:
        name = " ".join(str(entry["name"]).split())
        words = name.split()
        rank = self._rank(entry)
        fields = self._classification(entry, by_name)
        common = entry.get("common") or {}
        if not isinstance(common, dict):
            self.warn(entry[LINE_KEY], f"{name}: 'common' must map languages to names; ignored")
            common = {}
        taxon = Taxon(
            full_name=name,
            rank=rank,
            kingdom=fields.get("kingdom"),
            phylum=fields.get("phylum"),
            class_=fields.get("class"),
            order=fields.get("order"),
            family=fields.get("family"),
            subfamily=fields.get("subfamily"),
            genus=(fields.get("genus") or words[0]) if len(words) >= 2 else None,
            species=words[1] if len(words) >= 2 else None,
            subspecies=words[-1] if len(words) >= 3 else None,
            author=entry.get("author"),
            synonyms=tuple(_strings(entry.get("synonyms"))),
            common_names=tuple(
                CommonName(text, str(language).lower())
                for language, names in common.items()
                if language != LINE_KEY
                for text in _strings(names)
            ),
        )
        listings = entry.get("listings") or []
        if not isinstance(listings, list):
            self.warn(entry[LINE_KEY], f"{name}: 'listings' must be a list; ignored")
            listings = []
        changes = [self._change(name, listing, entry[LINE_KEY]) for listing in listings]
        return TaxonRecord(taxon, tuple(change for change in changes if change is not None))

    def _change(self, name: str, listing: Any, taxon_line: int) -> ListingChange | None:
        line = listing.get(LINE_KEY, taxon_line) if isinstance(listing, dict) else taxon_line
        try:
            if not isinstance(listing, dict):
                raise ValueError("a listing must be a mapping")
            unknown = sorted(str(key) for key in listing if key not in _LISTING_KEYS and key != LINE_KEY)
            if unknown:
                raise ValueError(f"unknown key(s) {', '.join(unknown)}")
            date = listing.get("date")
            if date is not None and not isinstance(date, dt.date):
                raise ValueError(f"date must be YYYY-MM-DD, not {date!r}")
            change = str(listing.get("change", "addition")).lower()
            if change not in _CHANGES:
                raise ValueError(f"unknown change '{change}'")
            return ListingChange(
                appendix=str(listing.get("appendix", "")),
                change_type=_CHANGES[change],
                effective_at=date,
                party=listing.get("party"),
                annotation=" ".join(str(listing.get("annotation", "")).split()) or None,
                annotation_symbol=listing.get("symbol"),
                hash_annotation=" ".join(str(listing.get("hash", "")).split()) or None,
                included_countries=tuple(_strings(listing.get("only"))),
                excluded_countries=tuple(_strings(listing.get("except"))),
                excluded_taxa=tuple(_strings(listing.get("exclude"))),
                listed_under=listing.get("listed_under"),
            )
        except ValueError as error:
            self.warn(line, f"{name}: {error}; listing skipped")
            return None
