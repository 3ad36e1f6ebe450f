"""Importer for the Species+ "CITES listings" CSV download (a snapshot of current listings, one row per taxon).

``Listing`` is the current listing ("II", "I/II", "NC"), ``Party`` the Appendix III listing Party and
``Listed under`` the listing that covers the taxon ("Crocodylia spp." or the taxon itself). ``Full note``
holds the annotation per Appendix ("**I** ... **II** ..."), ``# Full note`` the "#" annotation
("**III** #18 Excluding parts and derivatives, other than eggs").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from permits.registry.model import Taxon, TaxonRecord, normalize_name
from permits.registry.sources.assemble import (
    CLASSIFICATION_COLUMNS,
    attach_exclusions,
    parse_listing,
    snapshot_changes,
    taxon_from_row,
)
from permits.registry.sources.interface import RegistrySource
from permits.registry.sources.tabular import read_rows, split_list

COLUMNS: dict[str, tuple[str, ...]] = {
    **CLASSIFICATION_COLUMNS,
    "Listing": (),
    "Party": (),
    "Listed under": (),
    "Full note": (),
    "# Full note": (),
}
SIGNATURE = ("FullName", "Listing")
_SYMBOL = re.compile(r"#\s*\d+")


class SpeciesPlusCsvSource(RegistrySource):
    format_name = "speciesplus-csv"

    def records(self) -> Iterator[TaxonRecord]:
        records: list[TaxonRecord] = []
        not_listed: list[Taxon] = []
        for row in read_rows(self, COLUMNS, required=("FullName",), expected=("Listing",)):
            taxon = taxon_from_row(row)
            try:
                appendices, nc = parse_listing(row["Listing"])
            except ValueError as error:
                self.warn(row.line, f"{taxon.full_name}: {error}; taxon kept without a listing")
                appendices, nc = [], False
            if nc and not appendices:
                not_listed.append(taxon)
            under = row["Listed under"]
            if normalize_name(under) == normalize_name(taxon.full_name):
                under = ""
            hash_note = row.raw("# Full note")
            symbol = _SYMBOL.search(hash_note)
            parties = [code.upper() for code in split_list(row["Party"])]
            try:
                changes = snapshot_changes(
                    appendices,
                    row.raw("Full note"),
                    hash_note,
                    symbol.group(0).replace(" ", "") if symbol else None,
                    parties,
                    under or None,
                )
            except ValueError as error:
                self.warn(row.line, f"{taxon.full_name}: {error}; taxon kept without a listing")
                changes = ()
            records.append(TaxonRecord(taxon, changes))
        yield from attach_exclusions(records, not_listed)
