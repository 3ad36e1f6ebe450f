"""The species registry's data model: taxa, their listing changes, and the answer to a lookup.

Every class is a frozen dataclass so that results can be cached and shared safely. Names are compared in
their normalized form (``normalize_name``): case-folded, whitespace collapsed, and a trailing "spp." dropped,
so "Manis spp.", "MANIS" and " manis " are the same name.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

APPENDICES = ("I", "II", "III")
"""The CITES Appendices, most restrictive first."""

INFRASPECIFIC_RANKS = frozenset({"SUBSPECIES", "VARIETY", "FORM"})
SPECIES_RANKS = INFRASPECIFIC_RANKS | {"SPECIES"}

_SPACES = re.compile(r"\s+")
_SPP_SUFFIX = re.compile(r"\s+spp?\.?$")


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """The comparison key of a scientific name: NFKC, case-folded, single spaces, no trailing "spp."."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()
    return _SPP_SUFFIX.sub("", text)


def clean_text(value: str | None) -> str | None:
    """Collapse whitespace (including no-break spaces) in a free-text value; empty becomes None."""
    if value is None:
        return None
    return " ".join(value.split()) or None


class ChangeType(StrEnum):
    """What a listing change does (the Checklist's ChangeType; Species+ writes them +, -, R+ and R-)."""

    ADDITION = "ADDITION"
    DELETION = "DELETION"
    RESERVATION = "RESERVATION"
    RESERVATION_WITHDRAWAL = "RESERVATION_WITHDRAWAL"


@dataclass(frozen=True, slots=True)
class CommonName:
    """A vernacular name and its language (lower-case ISO 639-1 code such as "en", "fr", "es")."""

    name: str
    language: str


@dataclass(frozen=True, slots=True)
class ListingChange:
    """One entry of a taxon's listing history, effective from ``effective_at`` (None: date unknown, in force
    since before any dated change).

    ``included_countries`` limits an entry to the populations of those countries (ISO 3166-1 alpha-2);
    ``excluded_countries`` removes populations from it. ``unread_populations`` marks an entry the source limits
    to some populations in words the importer could not read with certainty (a region, part of a country):
    it is taken to cover every population, and its Appendix competes with the others for any origin (fail
    closed). ``excluded_taxa`` are lower taxa a higher-taxon listing
    does not cover ("Psittaciformes spp. except Melopsittacus undulatus"). ``listed_under`` names the
    higher-taxon listing this entry records ("Manis spp."), when the source says so. ``party`` is the listing
    Party of an Appendix III entry, or the Party that entered or withdrew a reservation.
    """

    appendix: str
    change_type: ChangeType = ChangeType.ADDITION
    effective_at: dt.date | None = None
    party: str | None = None
    annotation: str | None = None
    annotation_symbol: str | None = None
    hash_annotation: str | None = None
    included_countries: tuple[str, ...] = ()
    excluded_countries: tuple[str, ...] = ()
    excluded_taxa: tuple[str, ...] = ()
    listed_under: str | None = None
    unread_populations: bool = False

    def __post_init__(self) -> None:
        if self.appendix not in APPENDICES:
            raise ValueError(f"appendix must be one of I, II, III, not {self.appendix!r}")
        for code in (self.party, *self.included_countries, *self.excluded_countries):
            if code is not None and not (len(code) == 2 and code.isalpha() and code.isupper()):
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")

    @property
    def population_specific(self) -> bool:
        """True when the entry covers only some populations of the taxon."""
        return bool(self.included_countries or self.excluded_countries or self.unread_populations)

    def covers(self, country: str) -> bool:
        """Whether the entry applies to specimens originating in ``country``."""
        if self.included_countries and country not in self.included_countries:
            return False
        return country not in self.excluded_countries

    def scope(self) -> str:
        """The populations covered, in words: "all populations", "only BW, NA", "all except BW, NA"."""
        if self.unread_populations:
            return "some populations, not read: taken as all"
        if self.included_countries:
            return "only " + ", ".join(self.included_countries)
        if self.excluded_countries:
            return "all populations except " + ", ".join(self.excluded_countries)
        return "all populations"


@dataclass(frozen=True, slots=True)
class Taxon:
    """A taxon with its classification. ``species``/``subspecies`` hold epithets, the other ranks names.

    An accepted taxon lists its ``synonyms``; a synonym record has ``accepted`` False and names its
    ``accepted_name`` instead (the registry resolves it to that taxon).
    """

    full_name: str
    rank: str
    kingdom: str | None = None
    phylum: str | None = None
    class_: str | None = None
    order: str | None = None
    family: str | None = None
    subfamily: str | None = None
    genus: str | None = None
    species: str | None = None
    subspecies: str | None = None
    author: str | None = None
    id: str | None = None
    accepted: bool = True
    accepted_name: str | None = None
    synonyms: tuple[str, ...] = ()
    common_names: tuple[CommonName, ...] = ()

    def lineage(self) -> tuple[str, ...]:
        """Names of the higher taxa this taxon belongs to, nearest first (species, genus, ..., phylum)."""
        words = self.full_name.split()
        names: list[str | None] = []
        if self.rank in INFRASPECIFIC_RANKS:
            genus = self.genus or words[0]
            names.append(f"{genus} {self.species}" if self.species else " ".join(words[:2]))
        if self.rank in SPECIES_RANKS:
            names.append(self.genus or words[0])
        else:
            names.append(self.genus)
        names += [self.subfamily, self.family, self.order, self.class_, self.phylum]
        own = normalize_name(self.full_name)
        seen: list[str] = []
        for name in names:
            if name and normalize_name(name) != own and name not in seen:
                seen.append(name)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class TaxonRecord:
    """What a source yields and the registry stores: a taxon and its own listing history."""

    taxon: Taxon
    listing_changes: tuple[ListingChange, ...] = ()


@dataclass(frozen=True, slots=True)
class FirstListing:
    """When a taxon (the population of one origin) was first included in the Appendices: ``on``, None when it
    never was, or when it was listed since a date the data do not give (``undated``). ``known`` is False for a
    name the registry does not know."""

    known: bool
    on: dt.date | None = None
    undated: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    """One of the taxa a synonym of several taxa names, with its Appendix in the lookup (None: not listed)."""

    accepted_name: str
    appendix: str | None

    def __str__(self) -> str:
        """The taxon and its Appendix in words: "Acipenser sturio (Appendix I)", "Dicksonia blumei (not listed)"."""
        return f"{self.accepted_name} ({f'Appendix {self.appendix}' if self.appendix else 'not listed'})"

    def to_json(self) -> dict[str, object]:
        return {"accepted_name": self.accepted_name, "appendix": self.appendix}


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The registry's answer for one name on one date and (optionally) one country of origin.

    ``accepted_name`` is None when the name is unknown; ``suggestions`` then holds close known names.
    ``appendix`` is None when the taxon is known but not listed on that date. ``listed_under`` is the listing
    that applies ("Manis spp.", "Loxodonta africana"); ``party`` the Appendix III listing Party relevant for
    the origin (all listing Parties are in ``parties``); ``reservations`` the Parties holding a reservation on
    that Appendix for the taxon. ``annotation`` carries the listing's text and, for split listings without an
    origin, a note saying the most restrictive Appendix was chosen.

    A synonym of several taxa (``Acipenser lichtensteinii``, of an Appendix I and an Appendix II sturgeon) cannot
    say which it means: the answer is the strictest taxon's (fail closed), with a note in ``annotation``, and
    ``candidates`` names every taxon it may mean, strictest first (empty for a name of one taxon);
    ``equally_strict`` holds the answers for the other candidates in that same Appendix under another annotation,
    so that rules reading the annotation (specimens deemed Appendix I, zero quotas) judge the line by each.
    """

    query: str
    on: dt.date
    origin: str | None = None
    accepted_name: str | None = None
    matched_name: str | None = None
    rank: str | None = None
    kingdom: str | None = None
    appendix: str | None = None
    listed_under: str | None = None
    party: str | None = None
    parties: tuple[str, ...] = ()
    annotation: str | None = None
    annotation_symbol: str | None = None
    effective_at: dt.date | None = None
    reservations: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    equally_strict: tuple[LookupResult, ...] = ()
    suggestions: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """The name is known to the registry (accepted name or synonym)."""
        return self.accepted_name is not None

    @property
    def is_synonym(self) -> bool:
        return self.found and self.matched_name != self.accepted_name

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (dates as ISO strings)."""
        return {
            "query": self.query,
            "on": self.on.isoformat(),
            "origin": self.origin,
            "accepted_name": self.accepted_name,
            "matched_name": self.matched_name,
            "rank": self.rank,
            "kingdom": self.kingdom,
            "appendix": self.appendix,
            "listed_under": self.listed_under,
            "party": self.party,
            "parties": list(self.parties),
            "annotation": self.annotation,
            "annotation_symbol": self.annotation_symbol,
            "effective_at": self.effective_at.isoformat() if self.effective_at else None,
            "reservations": list(self.reservations),
            "candidates": [candidate.to_json() for candidate in self.candidates],
            "suggestions": list(self.suggestions),
        }


@dataclass(frozen=True, slots=True)
class RegistryInfo:
    """What ``Registry.info`` reports about a compiled registry file."""

    path: str
    source: str
    as_of: dt.date | None
    built_at: str
    origin: str
    data_version: str | None
    taxa: int
    names: int
    synonyms: int
    ambiguous_names: int
    listing_changes: int

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "built_at": self.built_at,
            "origin": self.origin,
            "data_version": self.data_version,
            "taxa": self.taxa,
            "names": self.names,
            "synonyms": self.synonyms,
            "ambiguous_names": self.ambiguous_names,
            "listing_changes": self.listing_changes,
        }
