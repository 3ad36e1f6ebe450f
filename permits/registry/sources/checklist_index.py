"""Importer for the CITES Checklist "Index of CITES Species" CSV export (a snapshot of the current listing).

Every row is an accepted taxon. ``CurrentListing`` is the taxon's listing ("I", "II", "III", "NC" or a split
such as "I/II"); for higher taxa it summarises their members, so their own listing is read from the
"Appendix X:" lines of ``AnnotationEnglish`` instead (population scopes too; each entry keeps the legal text of
``FullAnnotationEnglish``). NC rows become exclusions of the nearest listed higher
taxon. Synonyms come from ``SynonymsWithAuthors`` (authors stripped), common names from the English, French
and Spanish columns. The export date in the file name ("Index_of_CITES_Species_2017-04-21 ...") is the as-of
date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from permits.registry.model import SPECIES_RANKS, Taxon, TaxonRecord
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
from permits.registry.sources.tabular import read_rows

COLUMNS: dict[str, tuple[str, ...]] = {
    **CLASSIFICATION_COLUMNS,
    **COMMON_NAME_COLUMNS,
    "CurrentListing": (),
    "AnnotationEnglish": (),
    "FullAnnotationEnglish": (),
    "#AnnotationSymbol": (),
    "#Annotation": (),
    "SynonymsWithAuthors": ("Synonyms",),
}
SIGNATURE = ("FullName", "CurrentListing")


class ChecklistIndexSource(RegistrySource):
    format_name = "checklist-index"

    def records(self) -> Iterator[TaxonRecord]:
        found = re.search(r"(\d{4}-\d{2}-\d{2})", self.path.name)
        self.as_of = dt.date.fromisoformat(found.group(1)) if found else None
        records: list[TaxonRecord] = []
        not_listed: list[Taxon] = []
        for row in read_rows(self, COLUMNS, required=("FullName",), expected=("CurrentListing",)):
            taxon = taxon_from_row(row, names_with_authors(row["SynonymsWithAuthors"]))
            try:
                appendices, nc = parse_listing(row["CurrentListing"])
            except ValueError as error:
                self.warn(row.line, f"{taxon.full_name}: {error}; taxon kept without a listing")
                appendices, nc = [], False
            annotation = row.raw("AnnotationEnglish")
            if taxon.rank not in SPECIES_RANKS:
                # A higher taxon's own listing: its "Appendix X:" lines, limited to Appendices it is in.
                own = {section for section, _text in appendix_sections(annotation)}
                appendices = [appendix for appendix in appendices if appendix in own]
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
        yield from attach_exclusions(records, not_listed)
