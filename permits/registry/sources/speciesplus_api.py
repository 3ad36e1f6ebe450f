"""Importer for Species+ API v1 JSON: ``/taxon_concepts`` pages and ``/taxon_concepts/{id}/cites_legislation``
responses, as raw response bodies, lists of them, or recorded "vcr" cassettes (``http_interactions`` whose
``response.body.string`` holds the JSON body as a string).

Several files are read together: a taxon concept takes its full listing history from a ``cites_legislation``
response for the same id (change types +, -, R+, R-), else its current ``cites_listings`` as an undated
snapshot; so does a ``cites_legislation`` response of current listings only (the API's default scope), whose
dates do not say since when the taxon is listed. Concepts whose ``cites_listing`` is "NC" become exclusions of
the nearest listed higher taxon.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from permits.errors import InputError
from permits.registry.model import ChangeType, CommonName, ListingChange, Taxon, TaxonRecord
from permits.registry.sources.annotations import listed_under, strip_html
from permits.registry.sources.assemble import attach_exclusions, default_rank, parse_listing
from permits.registry.sources.checklist_history import CHANGE_TYPES
from permits.registry.sources.interface import RegistrySource
from permits.registry.sources.populations import read_populations
from permits.registry.sources.tabular import read_bytes

SIGNATURE_KEYS = ("taxon_concepts", "cites_listings", "http_interactions")


def _bodies(document: Any) -> Iterator[tuple[str, Any]]:
    """(where, body) of every API response in a parsed file: cassette interactions, lists, or one body."""
    if isinstance(document, list):
        for number, item in enumerate(document):
            yield from ((f"item {number}: {where}", body) for where, body in _bodies(item))
    elif isinstance(document, dict) and "http_interactions" in document:
        for number, interaction in enumerate(document.get("http_interactions") or []):
            request = (interaction.get("request") or {}).get("uri", "")
            text = ((interaction.get("response") or {}).get("body") or {}).get("string", "")
            try:
                body = json.loads(text) if isinstance(text, str) and text else text
            except json.JSONDecodeError as error:
                body = {"error": {"message": f"response body is not JSON ({error.msg})"}}
            yield f"interaction {number} ({request})", {"recorded_at": interaction.get("recorded_at"), "body": body}
    else:
        yield "body", {"body": document}


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _hash(listing: dict[str, Any]) -> tuple[str | None, str | None]:
    """(symbol, text) of a listing's hash annotation (an object with symbol/description, or a string)."""
    value = listing.get("hash_annotation")
    if isinstance(value, dict):
        symbol = value.get("symbol")
        text = value.get("description") or value.get("full_note") or value.get("text")
        return (str(symbol) if symbol else None), (strip_html(str(text)) if text else None)
    if isinstance(value, str) and value.strip():
        return None, strip_html(value)
    return None, None


class SpeciesPlusApiSource(RegistrySource):
    format_name = "speciesplus-api"

    def __init__(self, paths: Sequence[Path]) -> None:
        super().__init__(paths[0])
        self.paths = list(paths)

    @property
    def description(self) -> str:
        return f"{self.format_name}: {', '.join(path.name for path in self.paths)}"

    def records(self) -> Iterator[TaxonRecord]:
        concepts: dict[Any, dict[str, Any]] = {}
        histories: dict[Any, dict[Any, dict[str, Any]]] = {}
        for path in self.paths:
            try:
                document = json.loads(read_bytes(path).decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise InputError(f"{path}: not Species+ API JSON ({error})") from None
            for where, wrapped in _bodies(document):
                recorded = _date(wrapped.get("recorded_at"))
                if recorded and (self.as_of is None or recorded > self.as_of):
                    self.as_of = recorded
                self._collect(path, where, wrapped["body"], concepts, histories)
        records: list[TaxonRecord] = []
        not_listed: list[Taxon] = []
        for concept_id, concept in concepts.items():
            try:
                record = self._record(concept, list(histories.pop(concept_id, {}).values()))
            except (TypeError, AttributeError, KeyError, ValueError) as error:
                self.warn(None, f"taxon concept {concept.get('full_name')!r}: malformed ({error}); skipped")
                continue
            if concept.get("cites_listing") == "NC" and not record.listing_changes:
                not_listed.append(record.taxon)
            records.append(record)
        for concept_id in histories:
            message = f"cites_legislation for taxon concept {concept_id} has no taxon_concepts record; skipped"
            self.warn(None, message)
        yield from attach_exclusions(records, not_listed)

    def _collect(
        self,
        path: Path,
        where: str,
        body: Any,
        concepts: dict[Any, dict[str, Any]],
        histories: dict[Any, dict[Any, dict[str, Any]]],
    ) -> None:
        if not isinstance(body, dict):
            self.warn(None, f"{where}: not a Species+ API response; skipped", path)
        elif "error" in body:
            message = (body.get("error") or {}).get("message", "error") if isinstance(body["error"], dict) else body
            self.warn(None, f"{where}: API error response ({message}); skipped", path)
        elif isinstance(body.get("taxon_concepts"), list):
            for concept in body["taxon_concepts"]:
                if isinstance(concept, dict) and isinstance(concept.get("full_name"), str) and concept["full_name"]:
                    concepts[concept.get("id", concept["full_name"])] = concept
                else:
                    self.warn(None, f"{where}: taxon concept without full_name; skipped", path)
        elif isinstance(body.get("cites_listings"), list):
            for listing in body["cites_listings"]:
                if isinstance(listing, dict) and listing.get("taxon_concept_id") is not None:
                    histories.setdefault(listing["taxon_concept_id"], {})[listing.get("id")] = listing
        else:
            self.warn(None, f"{where}: no taxon_concepts or cites_listings; skipped", path)

    def _record(self, concept: dict[str, Any], history: list[dict[str, Any]]) -> TaxonRecord:
        name = " ".join(str(concept["full_name"]).split())
        higher = concept.get("higher_taxa") or {}
        rank = str(concept.get("rank") or default_rank(name)).upper()
        words = name.split()
        status = concept.get("name_status", "A")
        accepted_names = [a.get("full_name") for a in concept.get("accepted_names") or [] if isinstance(a, dict)]
        taxon = Taxon(
            full_name=name,
            rank=rank,
            kingdom=higher.get("kingdom"),
            phylum=higher.get("phylum"),
            class_=higher.get("class"),
            order=higher.get("order") if rank != "ORDER" else None,
            family=higher.get("family") if rank != "FAMILY" else None,
            genus=words[0] if len(words) >= 2 else None,
            species=words[1] if len(words) >= 2 else None,
            subspecies=words[2] if len(words) >= 3 else None,
            author=concept.get("author_year"),
            id=str(concept["id"]) if concept.get("id") is not None else None,
            accepted=status == "A" or not accepted_names,
            accepted_name=accepted_names[0] if status != "A" and accepted_names else None,
            synonyms=tuple(s["full_name"] for s in concept.get("synonyms") or [] if isinstance(s, dict)),
            common_names=tuple(
                CommonName(c["name"], str(c.get("language", "")).lower())
                for c in concept.get("common_names") or []
                if isinstance(c, dict) and c.get("name")
            ),
        )
        listings = history or concept.get("cites_listings") or []
        # The default scope of cites_legislation is "current": listings that are all current say nothing of the
        # years before their dates (Loxodonta africana's current entries date from 2017 and 2019), so they are
        # read as the snapshot they are, not as a history in which the taxon was not listed before.
        dated = bool(history) and not all(listing.get("is_current") is True for listing in history)
        changes = [self._change(name, listing, dated=dated) for listing in listings]
        return TaxonRecord(taxon, tuple(change for change in changes if change is not None))

    def _change(self, name: str, listing: dict[str, Any], dated: bool) -> ListingChange | None:
        kind = CHANGE_TYPES.get(str(listing.get("change_type", "+")))
        text = str(listing.get("annotation") or "")
        symbol, hash_text = _hash(listing)
        party = listing.get("party")
        reservation = kind in (ChangeType.RESERVATION, ChangeType.RESERVATION_WITHDRAWAL)
        included, excluded, unread = ((), (), False) if reservation else read_populations(text).scope()
        try:
            if kind is None:
                raise ValueError(f"unknown change_type {listing.get('change_type')!r}")
            parse_listing(str(listing.get("appendix", "")))
            return ListingChange(
                appendix=str(listing.get("appendix")),
                change_type=kind,
                effective_at=_date(listing.get("effective_at")) if dated else None,
                party=party.get("iso_code2") if isinstance(party, dict) else None,
                annotation=strip_html(text) or None,
                annotation_symbol=symbol,
                hash_annotation=hash_text,
                included_countries=included,
                excluded_countries=excluded,
                listed_under=listed_under(text),
                unread_populations=unread,
            )
        except ValueError as error:
            self.warn(None, f"{name}: listing {listing.get('id')}: {error}; skipped")
            return None
