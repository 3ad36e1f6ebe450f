"""Importer for the CITES Checklist "Index of CITES Species" CSV export (a snapshot of the current listing).

Every row is an accepted taxon. ``CurrentListing`` is the taxon's listing ("I", "II", "III", "NC" or a split
such as "I/II"); for higher taxa it summarises their members, so their own listing is read from the
"Appendix X:" lines of ``AnnotationEnglish`` instead (populations too; each entry keeps the legal text of
``FullAnnotationEnglish``). NC rows become exclusions of the nearest listed higher
taxon. Synonyms come from ``SynonymsWithAuthors`` (authors stripped), common names from the English, French
and Spanish columns. The export date in the file name ("Index_of_CITES_Species_2017-04-21 ...") is the as-of
date.

A species' summary also counts its subspecies and varieties: the 2017 Index gives Panthera leo "I/II" with an
"Appendix II:" line only, the "I" being Panthera leo persica's. Such an Appendix, with no line of the species'
own, stricter than every Appendix that has one (or, with none, beside "NC"), is limited to the countries where
those subspecies occur (``All_DistributionISOCodes``): a lion from Tanzania is Appendix II, one from India
Appendix I. Where any of them is split itself, has no distribution, or the Appendix is not the strictest, the
entry keeps covering every population (the stricter Appendix, fail closed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Sequence

from permits.registry.model import APPENDICES, INFRASPECIFIC_RANKS, SPECIES_RANKS, Taxon, TaxonRecord
from permits.registry.sources.annotations import appendix_sections, names_with_authors
from permits.registry.sources.assemble import (
    CLASSIFICATION_COLUMNS,
    COMMON_NAME_COLUMNS,
    attach_exclusions,
    parse_listing,
    snapshot_changes,
    taxon_from_row,
)
from permits.registry.sources.interface import RegistrySource
from permits.registry.sources.tabular import read_rows, split_list

COLUMNS: dict[str, tuple[str, ...]] = {
    **CLASSIFICATION_COLUMNS,
    **COMMON_NAME_COLUMNS,
    "CurrentListing": (),
    "AnnotationEnglish": (),
    "FullAnnotationEnglish": (),
    "#AnnotationSymbol": (),
    "#Annotation": (),
    "SynonymsWithAuthors": ("Synonyms",),
    "All_DistributionISOCodes": (),
}
SIGNATURE = ("FullName", "CurrentListing")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


@dataclasses.dataclass(frozen=True, slots=True)
class _Infraspecific:
    """What a species' summary needs of one of its subspecies or varieties: its Appendices and where it occurs."""

    appendices: tuple[str, ...]
    distribution: tuple[str, ...]


class ChecklistIndexSource(RegistrySource):
    format_name = "checklist-index"

    def records(self) -> Iterator[TaxonRecord]:
        found = re.search(r"(\d{4}-\d{2}-\d{2})", self.path.name)
        self.as_of = dt.date.fromisoformat(found.group(1)) if found else None
        records: list[TaxonRecord] = []
        not_listed: list[Taxon] = []
        summarised: dict[int, tuple[str, ...]] = {}
        infraspecific: dict[str, list[_Infraspecific]] = {}
        for row in read_rows(self, COLUMNS, required=("FullName",), expected=("CurrentListing",)):
            taxon = taxon_from_row(row, names_with_authors(row["SynonymsWithAuthors"]))
            try:
                appendices, nc = parse_listing(row["CurrentListing"])
            except ValueError as error:
                self.warn(row.line, f"{taxon.full_name}: {error}; taxon kept without a listing")
                appendices, nc = [], False
            annotation = row.raw("AnnotationEnglish")
            own = {section for section, _text in appendix_sections(annotation)}
            if taxon.rank not in SPECIES_RANKS:
                # A higher taxon's own listing: its "Appendix X:" lines, limited to Appendices it is in.
                appendices = [appendix for appendix in appendices if appendix in own]
            elif taxon.rank in INFRASPECIFIC_RANKS:
                distribution = tuple(split_list(row["All_DistributionISOCodes"]))
                if species := taxon.lineage()[:1]:  # none for a one-word name: it limits no species
                    infraspecific.setdefault(species[0], []).append(_Infraspecific(tuple(appendices), distribution))
            else:
                unmarked = len(appendices) == 1 and bool(annotation.strip())  # one Appendix: the cell is its line
                summarised[len(records)] = _summarised(appendices, own or set(appendices[:unmarked]), nc)
            if nc and not appendices:
                not_listed.append(taxon)
            changes = snapshot_changes(
                appendices,
                annotation,
                row.raw("#Annotation"),
                row["#AnnotationSymbol"] or None,
                full_annotation=row.raw("FullAnnotationEnglish"),
            )
            records.append(TaxonRecord(taxon, changes))
        for index, inherited in summarised.items():
            records[index] = _limited_to_subspecies(records[index], inherited, infraspecific)
        yield from attach_exclusions(records, not_listed)


def _summarised(appendices: Sequence[str], own: set[str], nc: bool) -> tuple[str, ...]:
    """The Appendices of a species' summary that come from its subspecies and can be limited to their range:
    without a line of the species' own, and stricter than every one it has (with none, beside "NC")."""
    if not own and not nc:
        return ()
    strictest_own = min((APPENDICES.index(appendix) for appendix in own), default=len(APPENDICES))
    return tuple(a for a in appendices if a not in own and APPENDICES.index(a) < strictest_own)


def _limited_to_subspecies(
    record: TaxonRecord, inherited: Sequence[str], infraspecific: dict[str, list[_Infraspecific]]
) -> TaxonRecord:
    """``record`` with its entries in ``inherited`` Appendices limited to the countries where the subspecies in
    that Appendix occur, when every one of them is in that Appendix only and has a distribution."""
    members = infraspecific.get(record.taxon.full_name, [])
    changes = list(record.listing_changes)
    for appendix in inherited:
        listed = [member for member in members if appendix in member.appendices]
        if not listed or any(m.appendices != (appendix,) or not m.distribution for m in listed):
            continue
        countries = tuple(sorted({code for member in listed for code in member.distribution}))
        if not all(_COUNTRY_CODE.fullmatch(code) for code in countries):
            continue
        changes = [
            dataclasses.replace(change, included_countries=countries) if change.appendix == appendix else change
            for change in changes
        ]
    return TaxonRecord(record.taxon, tuple(changes))
