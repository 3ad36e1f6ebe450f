"""Building registry records from export rows, shared by the importers: the classification columns, the
listing entries of a current-listing snapshot, and the exclusions a "not listed" (NC) taxon implies.

Snapshot exports (Checklist Index, Species+ listings CSV, current Species+ API listings) give no history, so
their entries are undated: they apply at every date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from permits.registry.model import (
    APPENDICES,
    INFRASPECIFIC_RANKS,
    ChangeType,
    CommonName,
    ListingChange,
    Taxon,
    TaxonRecord,
    normalize_name,
)
from permits.registry.sources.annotations import appendix_sections, listed_under, strip_html
from permits.registry.sources.populations import Kind, Populations, complement, read_populations
from permits.registry.sources.tabular import Row, split_list

CLASSIFICATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "TaxonId": ("Id", "taxon_concept_id", "rec_id"),
    "Kingdom": ("kingdom",),
    "Phylum": ("phylum",),
    "Class": ("class",),
    "Order": ("order",),
    "Family": ("family",),
    "Genus": ("genus",),
    "Species": ("species",),
    "Subspecies": ("subspecies",),
    "FullName": ("Scientific Name", "full_name"),
    "AuthorYear": ("Author", "author_year"),
    "RankName": ("Rank", "rank_name", "rank"),
}
COMMON_NAME_COLUMNS: dict[str, tuple[str, ...]] = {"EnglishNames": (), "FrenchNames": (), "SpanishNames": ()}
_COMMON_LANGUAGES = {"EnglishNames": "en", "FrenchNames": "fr", "SpanishNames": "es"}


def default_rank(full_name: str) -> str:
    """SPECIES for a binomial, SUBSPECIES for a trinomial, GENUS otherwise (for sources without a rank)."""
    words = len(full_name.split())
    return "SPECIES" if words == 2 else "SUBSPECIES" if words >= 3 else "GENUS"


def taxon_from_row(row: Row, synonyms: Sequence[str] = ()) -> Taxon:
    """A taxon from the classification columns of a Checklist or Species+ row."""
    full_name = row["FullName"]
    rank = (row["RankName"] or default_rank(full_name)).upper()
    words = full_name.split()
    genus = row["Genus"] or (words[0] if len(words) >= 2 else None)
    species = row["Species"] or (words[1] if len(words) >= 2 else None)
    subspecies = row["Subspecies"] or (words[-1] if rank in INFRASPECIFIC_RANKS and len(words) >= 3 else None)
    commons = tuple(
        CommonName(name, language) for column, language in _COMMON_LANGUAGES.items() for name in split_list(row[column])
    )
    return Taxon(
        full_name=full_name,
        rank=rank,
        kingdom=row["Kingdom"] or None,
        phylum=row["Phylum"] or None,
        class_=row["Class"] or None,
        order=row["Order"] or None,
        family=row["Family"] or None,
        genus=genus if rank != "GENUS" else None,
        species=species if rank not in ("GENUS",) and len(words) >= 2 else None,
        subspecies=subspecies,
        author=row["AuthorYear"] or None,
        id=row["TaxonId"] or None,
        synonyms=tuple(name for name in synonyms if normalize_name(name) != normalize_name(full_name)),
        common_names=commons,
    )


def parse_listing(value: str) -> tuple[list[str], bool]:
    """The Appendices of a listing summary such as "I/II" or "III/NC", and whether it includes NC.

    Raises ValueError for anything else.
    """
    parts = [part.strip() for part in value.replace(" ", "").split("/") if part.strip()]
    unknown = [part for part in parts if part not in APPENDICES and part != "NC"]
    if unknown:
        raise ValueError(f"unknown listing '{value}'")
    return [part for part in APPENDICES if part in parts], "NC" in parts


def snapshot_changes(
    appendices: Sequence[str],
    annotation: str,
    hash_annotation: str = "",
    symbol: str | None = None,
    parties: Sequence[str] = (),
    under: str | None = None,
    full_annotation: str = "",
) -> tuple[ListingChange, ...]:
    """Undated ADDITION entries for a taxon currently in ``appendices``.

    ``annotation`` and ``hash_annotation`` are multi-Appendix cells (``appendix_sections``); each section of
    a listed Appendix becomes one entry with the populations it covers (``populations.read_populations``;
    "all populations except those included in Appendix II" leaves out the Appendix II section's list).
    ``parties`` are the Appendix III listing Parties (one entry each). ``under`` is the higher-taxon listing the
    source says the taxon is listed under. ``full_annotation`` is the legal text of a short ``annotation`` (the
    Checklist's FullAnnotationEnglish): where it has one section for an Appendix, the entry keeps it, since the
    rules read which specimens a listing covers from it, and its list of populations is read where the short
    text's cannot be ("Population of MX only (Populations of CA & US removed)").
    """
    sections = appendix_sections(annotation)
    if not sections and len(appendices) == 1 and annotation.strip():
        sections = [(appendices[0], annotation)]
    full_sections = appendix_sections(full_annotation)
    hashes = dict(appendix_sections(hash_annotation))
    texts = {appendix: [text for section, text in sections if section == appendix] or [""] for appendix in appendices}
    fulls = {appendix: [text for section, text in full_sections if section == appendix] for appendix in appendices}
    readings = {
        appendix: [_populations(text, fulls[appendix] if len(texts[appendix]) == 1 else []) for text in texts[appendix]]
        for appendix in appendices
    }
    changes: list[ListingChange] = []
    for appendix in appendices:
        full = fulls[appendix]
        for text, reading in zip(texts[appendix], readings[appendix], strict=True):
            included, excluded, unread = complement(reading, readings.get(reading.appendix or "", [])).scope()
            hash_text = strip_html(hashes.get(appendix, "")) or None
            for party in parties if appendix == "III" and parties else [None]:
                changes.append(
                    ListingChange(
                        appendix=appendix,
                        party=party,
                        annotation=strip_html(full[0] if len(full) == len(texts[appendix]) == 1 else text) or None,
                        annotation_symbol=symbol if symbol and (hash_text or not hashes) else None,
                        hash_annotation=hash_text,
                        included_countries=included,
                        excluded_countries=excluded,
                        listed_under=listed_under(text) or under,
                        unread_populations=unread,
                    )
                )
    return tuple(changes)


def _populations(text: str, legal_texts: Sequence[str]) -> Populations:
    """The populations a section's text covers; where they cannot be read, the list its one legal text gives."""
    reading = read_populations(text)
    if reading.unread and len(legal_texts) == 1:
        legal = read_populations(legal_texts[0])
        if legal.kind in (Kind.ONLY, Kind.EXCEPT) and not legal.unread:
            return legal
    return reading


def attach_exclusions(records: list[TaxonRecord], not_listed: Sequence[Taxon]) -> list[TaxonRecord]:
    """Record each not-listed (NC) taxon as an exclusion of the nearest higher taxon that has a listing.

    A snapshot says "NC" on the excluded taxon itself (Melopsittacus undulatus), while the registry, like
    the Appendices, keeps the exclusion on the higher-taxon listing (Psittaciformes spp.).
    """
    position = {normalize_name(r.taxon.full_name): i for i, r in enumerate(records) if r.listing_changes}
    exclusions: dict[int, list[str]] = {}
    for taxon in not_listed:
        for ancestor in taxon.lineage():
            found = position.get(normalize_name(ancestor))
            if found is not None:
                exclusions.setdefault(found, []).append(taxon.full_name)
                break
    updated = list(records)
    for index, names in exclusions.items():
        record = updated[index]
        changes = tuple(
            dataclasses.replace(change, excluded_taxa=(*change.excluded_taxa, *names))
            if change.change_type is ChangeType.ADDITION
            else change
            for change in record.listing_changes
        )
        updated[index] = TaxonRecord(record.taxon, changes)
    return updated
