"""Review of the registry against real CITES data (../shared/data, read in place; skipped when absent): the
tool's lookups compared with what the source rows say, the expectations worked out here from the rows
themselves (not with the importers' helpers), and regressions for the discrepancies the review found."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from permits.registry import Registry, Taxon, TaxonRecord
from permits.registry.sources import open_sources
from tests.registry.conftest import API_FIXTURES, SAPI_HISTORY, build_from, day, shared_path

SAPI_AS_OF = day("2013-06-12")


def sapi_rows() -> list[dict[str, str]]:
    with shared_path(*SAPI_HISTORY).open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["full_name"]]


@pytest.fixture(scope="module")
def sapi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    registry, _sources = build_from([shared_path(*SAPI_HISTORY)], tmp_path_factory.mktemp("review") / "r.sqlite")
    with registry:
        yield registry


def test_the_sapi_history_gives_every_taxon_its_current_listing(sapi: Registry) -> None:
    """The legacy history marks the additions in force in 2013 (``is_current``): replaying every taxon's changes to
    that date gives the strictest of them (1,610 taxa)."""
    current: dict[str, set[str]] = {}
    for row in sapi_rows():
        if row["is_current"] == "1" and row["change_type"] == "ADDITION":
            current.setdefault(row["full_name"], set()).add(row["appendix"])
    wrong = []
    for name, appendices in current.items():
        expected = min(appendices, key=("I", "II", "III").index)
        if (got := sapi.listing_at(name, SAPI_AS_OF).appendix) != expected:
            wrong.append((name, got, expected))
    assert len(current) == 1_610
    assert wrong == []


def _inclusion_labels(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], str]:
    """How the legacy tables name each listed taxon, by kingdom, rank and RecID (ids are numbered per rank)."""
    return {
        (row["kingdom"], row["rank"].upper(), row["rec_id"]): row["full_name"]
        + ("" if row["rank"] in ("SPECIES", "SUBSPECIES", "VARIETY") else " spp.")
        for row in rows
    }


def test_an_inclusion_names_the_higher_taxon_of_its_rank(sapi: Registry) -> None:
    """The legacy tables number each rank on its own: RecID 129 is the order Psittaciformes and the species
    Accipiter striatus, 43 the order Crocodylia and the family Anatidae, 2446 the genus Latimeria and the species
    Axis calamianensis. An inclusion (``included_in_RecID``) means the taxon of its ``RankforInclusions``; the
    importer read the id alone and said parrots were listed under Accipiter striatus."""
    rows = sapi_rows()
    labels = _inclusion_labels(rows)
    wrong = []
    for row in rows:
        if row["is_current"] != "1" or row["change_type"] != "ADDITION" or row["is_inclusion"] != "1":
            continue
        expected = labels.get((row["kingdom"], row["RankforInclusions"].upper(), row["included_in_RecID"]))
        got = sapi.listing_at(row["full_name"], SAPI_AS_OF)
        if expected and got.appendix == row["appendix"] and got.listed_under != expected:
            wrong.append((row["full_name"], got.listed_under, expected))
    assert wrong == []
    on = day("2005-01-01")
    assert sapi.listing_at("Cacatua tenuirostris", on).listed_under == "Psittaciformes spp."
    assert sapi.listing_at("Alligator mississippiensis", on).listed_under == "Crocodylia spp."
    assert sapi.listing_at("Latimeria chalumnae", on).listed_under == "Latimeria spp."


@pytest.mark.parametrize(("date", "expected"), [("2000-01-01", None), ("2004-01-01", "II"), ("2006-01-01", "II")])
def test_a_listing_that_excludes_parts_of_its_taxon_keeps_the_taxon(
    sapi: Registry, date: str, expected: str | None
) -> None:
    """Cistanche deserticola is in Appendix II from 2000-07-19; the addition of 2003-02-13 says the listing covers
    roots "excluding manufactured parts or derivatives ... of <i>Cistanche deserticola</i>". The importer read that
    as the species excluding itself: "not listed" from 2003-02-13 to 2005-01-11."""
    listing = sapi.listing_at("Cistanche deserticola", day(date))
    assert listing.appendix == expected
    if expected:
        assert listing.listed_under == "Cistanche deserticola"


def test_a_listing_excluding_cultivars_of_a_species_keeps_the_species(tmp_path: Path) -> None:
    """Euphorbia spp. (1997): "Excluding species which are not succulent, & artificially propagated specimens of
    cultivars of <i>Euphorbia trigona</i>" leaves wild Euphorbia trigona in Appendix II through the genus (the
    importer excluded the species). The species, which the history does not list itself, comes from another
    source, as in a merged registry."""
    notes = [row["short_note_en"] for row in sapi_rows() if row["full_name"] == "Euphorbia"]
    assert any("cultivars of <i>Euphorbia trigona</i>" in note for note in notes)
    records = [record for source in open_sources([shared_path(*SAPI_HISTORY)]) for record in source.records()]
    trigona = Taxon("Euphorbia trigona", "SPECIES", kingdom="Plantae", genus="Euphorbia", species="trigona")
    with Registry.build(tmp_path / "r.sqlite", [*records, TaxonRecord(trigona)], "review", None) as registry:
        listing = registry.listing_at("Euphorbia trigona", day("2000-01-01"))
        assert (listing.appendix, listing.listed_under) == ("II", "Euphorbia spp.")


def _current_legislation() -> list[dict[str, object]]:
    """The listings of the recorded default-scope (current) cites_legislation response for Loxodonta africana."""
    path = shared_path(*API_FIXTURES) / "spp_cites_legislation_def.json"
    interactions = json.loads(path.read_text(encoding="utf-8"))["http_interactions"]
    listings: list[dict[str, object]] = json.loads(interactions[0]["response"]["body"]["string"])["cites_listings"]
    return listings


def test_a_current_scope_legislation_response_is_no_history(tmp_path: Path) -> None:
    """The API's default scope gives the listings in force only (all ``is_current``, dated 2017-01-02 and
    2019-11-26): it does not say the elephant was unlisted before. Read as a history it made Loxodonta africana
    "not listed" in 1990 and 2000, although the same concept's own current listing, read alone, lists it."""
    listings = _current_legislation()
    assert listings and all(listing["is_current"] is True for listing in listings)
    assert min(str(listing["effective_at"]) for listing in listings) == "2017-01-02"
    fixtures = shared_path(*API_FIXTURES)
    paths = [fixtures / "spp_taxonconcept_def.json", fixtures / "spp_cites_legislation_def.json"]
    registry, sources = build_from(paths, tmp_path / "r.sqlite")
    with registry:
        assert sources[0].warnings == []
        for date in ("1990-01-01", "2000-01-01", "2022-11-27"):
            on = day(date)
            assert registry.listing_at("Loxodonta africana", on, "KE").appendix == "I", date
            assert registry.listing_at("Loxodonta africana", on, "BW").appendix == "II", date
