"""Importer for listing histories: the CITES Checklist "History" CSV export, and the same data in the layout
of the SAPI legacy listing tables (``full_name, rank, appendix, change_type, effective_at_iso, party_iso2,
populations_iso2, EXCLUDEDpopulations_iso, is_inclusion, included_in_RecID, short_note_en, hash_note``).

Each row is one listing change: ChangeType ADDITION, DELETION, RESERVATION or RESERVATION_WITHDRAWAL (also
written RESERVATION_WITHDRAWN, +, -, R+, R-) effective on EffectiveAt (DD/MM/YYYY or ISO). Rows are grouped
into one record per taxon. Populations come from the ISO-code columns when present, else from the annotation
text of an addition (``populations.read_populations``; text it cannot read leaves the entry's populations
unread); taxa a higher-taxon listing excludes are read from "Excludes <i>...</i>" annotations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from permits.registry.model import SPECIES_RANKS, ChangeType, ListingChange, Taxon, TaxonRecord, normalize_name
from permits.registry.sources.annotations import excluded_taxa, listed_under, strip_html
from permits.registry.sources.assemble import CLASSIFICATION_COLUMNS, taxon_from_row
from permits.registry.sources.interface import RegistrySource
from permits.registry.sources.populations import read_populations
from permits.registry.sources.tabular import Row, parse_date, read_rows, split_list

COLUMNS: dict[str, tuple[str, ...]] = {
    **CLASSIFICATION_COLUMNS,
    "Appendix": ("appendix",),
    "ChangeType": ("change_type",),
    "EffectiveAt": ("effective_at_iso", "effective_from", "effective_at"),
    "PartyIsoCode": ("party_iso2", "party"),
    "AnnotationEnglish": ("short_note_en",),
    "FullAnnotationEnglish": ("full_note_en",),
    "#AnnotationSymbol": ("hash_note",),
    "#Annotation": (),
    "IncludedPopulations": ("populations_iso2",),
    "ExcludedPopulations": ("EXCLUDEDpopulations_iso",),
    "IsInclusion": ("is_inclusion",),
    "IncludedIn": ("included_in_RecID",),
    "IncludedInRank": ("RankforInclusions",),
}
SIGNATURE = ("FullName", "Appendix", "ChangeType", "EffectiveAt")
CHANGE_TYPES = {
    "ADDITION": ChangeType.ADDITION,
    "+": ChangeType.ADDITION,
    "DELETION": ChangeType.DELETION,
    "-": ChangeType.DELETION,
    "RESERVATION": ChangeType.RESERVATION,
    "R+": ChangeType.RESERVATION,
    "RESERVATION_WITHDRAWAL": ChangeType.RESERVATION_WITHDRAWAL,
    "RESERVATION_WITHDRAWN": ChangeType.RESERVATION_WITHDRAWAL,
    "R-": ChangeType.RESERVATION_WITHDRAWAL,
}


def _symbol(value: str) -> str | None:
    found = re.search(r"#\s*(\d+)", value)
    return f"#{found.group(1)}" if found else value or None


class ChecklistHistorySource(RegistrySource):
    format_name = "checklist-history"

    def records(self) -> Iterator[TaxonRecord]:
        rows = read_rows(self, COLUMNS, required=SIGNATURE)
        labels = _Labels(rows, self._label)
        taxa: dict[str, Taxon] = {}
        changes: dict[str, list[ListingChange]] = {}
        for row in rows:
            change = self._change(row, labels)
            if change is None:
                continue
            key = normalize_name(row["FullName"])
            if key not in taxa:
                taxa[key] = taxon_from_row(row)
                changes[key] = []
            changes[key].append(change)
            if change.effective_at and (self.as_of is None or change.effective_at > self.as_of):
                self.as_of = change.effective_at
        for key, taxon in taxa.items():
            yield TaxonRecord(taxon, tuple(changes[key]))

    @staticmethod
    def _label(row: Row) -> str:
        name = row["FullName"]
        rank = (row["RankName"] or "").upper()
        return name if rank in SPECIES_RANKS or (not rank and " " in name) else f"{name} spp."

    def _change(self, row: Row, labels: _Labels) -> ListingChange | None:
        kind = CHANGE_TYPES.get(row["ChangeType"].upper())
        if kind is None:
            self.warn(row.line, f"unknown ChangeType '{row['ChangeType']}'; row skipped")
            return None
        text = row.raw("AnnotationEnglish") or row.raw("FullAnnotationEnglish")
        legal_text = row.raw("FullAnnotationEnglish") or text
        included = tuple(code.upper() for code in split_list(row["IncludedPopulations"]))
        excluded = tuple(code.upper() for code in split_list(row["ExcludedPopulations"]))
        unread = False
        if not included and not excluded and kind is ChangeType.ADDITION:
            included, excluded, unread = read_populations(text).scope()
        under = listed_under(text)
        if row["IsInclusion"] in ("1", "true", "TRUE") and row["IncludedIn"]:
            under = labels.included_in(row) or under
        try:
            return ListingChange(
                appendix=row["Appendix"].upper(),
                change_type=kind,
                effective_at=parse_date(row["EffectiveAt"]),
                party=row["PartyIsoCode"].upper() or None,
                annotation=strip_html(legal_text) or None,
                annotation_symbol=_symbol(row["#AnnotationSymbol"]),
                hash_annotation=strip_html(row.raw("#Annotation")) or None,
                included_countries=included,
                excluded_countries=excluded,
                excluded_taxa=excluded_taxa(text) if kind is ChangeType.ADDITION else (),
                listed_under=under,
                unread_populations=unread,
            )
        except ValueError as error:
            self.warn(row.line, f"{row['FullName']}: {error}; row skipped")
            return None


class _Labels:
    """The label of each taxon of the history, to name the higher taxon an inclusion row points to. The legacy
    tables number each rank on its own (RecID 129 is both the order Psittaciformes and the species Accipiter
    striatus), so a taxon is found by kingdom, rank and id; both lookups are built once (an import reads tens of
    thousands of inclusion rows)."""

    def __init__(self, rows: list[Row], label: Callable[[Row], str]) -> None:
        self.by_rank = {
            (row["Kingdom"], row["RankName"].upper(), row["TaxonId"]): label(row) for row in rows if row["TaxonId"]
        }
        self.by_id: dict[tuple[str, str], set[str]] = {}
        for (kingdom, _rank, number), name in self.by_rank.items():
            self.by_id.setdefault((kingdom, number), set()).add(name)

    def included_in(self, row: Row) -> str | None:
        """The label of the higher taxon an inclusion row names: the one of its rank (``RankforInclusions``), else
        the only one with its id (None when several ranks share the id)."""
        kingdom, number = row["Kingdom"], row["IncludedIn"]
        if label := self.by_rank.get((kingdom, row["IncludedInRank"].upper(), number)):
            return label
        found = self.by_id.get((kingdom, number), set())
        return next(iter(found)) if len(found) == 1 else None
