"""Each importer on small fixture files: format detection, tolerance (BOM, Latin-1, gzip, missing optional
columns, bad rows as line-numbered warnings) and what the records say."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pytest

from permits.errors import InputError
from permits.registry import import_files
from permits.registry.sources import detect_format, open_sources
from permits.registry.sources.annotations import excluded_taxa, names_with_authors
from tests.registry.conftest import FIXTURES, INDEX_COLUMNS, build_from, day, split_listings_index

ON = day("2024-01-01")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index_small.csv", "checklist-index"),
        ("index_bom.csv", "checklist-index"),
        ("history_small.csv", "checklist-history"),
        ("history_missing_optional.csv", "checklist-history"),
        ("speciesplus_latin1.csv", "speciesplus-csv"),
        ("speciesplus_bad_rows.csv", "speciesplus-csv"),
        ("speciesplus_concepts.json", "speciesplus-api"),
        ("speciesplus_legislation_cassette.json", "speciesplus-api"),
        ("registry_custom.yaml", "cites-registry"),
    ],
)
def test_the_format_is_detected_from_the_content(name: str, expected: str) -> None:
    assert detect_format(FIXTURES / name) == expected


def test_gzip_input_is_read_whatever_its_name(tmp_path: Path) -> None:
    packed = tmp_path / "index.csv.gz"
    with (FIXTURES / "index_small.csv").open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    renamed = tmp_path / "index-without-suffix"
    shutil.copy(packed, renamed)
    assert detect_format(renamed) == "checklist-index"
    registry, sources = build_from([renamed], tmp_path / "registry.sqlite")
    assert registry.info().taxa == 9 and sources[0].warnings == []


def test_unknown_formats_and_unreadable_files_are_one_line_input_errors(tmp_path: Path) -> None:
    other = tmp_path / "shipments.csv"
    other.write_text("Year,Appendix,Taxon,Quantity\n2015,II,Python regius,10\n")
    with pytest.raises(InputError, match=r"shipments\.csv: unknown format"):
        detect_format(other)
    not_api = tmp_path / "data.json"
    not_api.write_text('{"hello": "world"}')
    with pytest.raises(InputError, match=r"data\.json: JSON but not a Species\+ API response"):
        detect_format(not_api)
    with pytest.raises(InputError, match=r"missing\.csv: cannot read the file"):
        detect_format(tmp_path / "missing.csv")
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InputError, match=r"broken\.csv\.gz: cannot read the file"):
        detect_format(broken)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="unknown format"):
        detect_format(empty)


def test_checklist_index(tmp_path: Path) -> None:
    registry, sources = build_from([FIXTURES / "index_small.csv"], tmp_path / "registry.sqlite")
    assert sources[0].warnings == [] and sources[0].as_of is None
    budgie = registry.listing_at("Melopsittacus undulatus", ON)
    assert budgie.found and budgie.appendix is None and "Psittaciformes spp." in (budgie.annotation or "")
    assert registry.listing_at("Amazona aestiva", ON).appendix == "II"
    pangolin = registry.listing_at("Phataginus tricuspis", ON)
    assert (pangolin.accepted_name, pangolin.appendix) == ("Manis tricuspis", "I")
    assert registry.resolve_name("Manis tridentata") == "Manis tricuspis"
    assert registry.listing_at("Loxodonta africana", ON, "BW").appendix == "II"
    assert registry.listing_at("Loxodonta africana", ON, "KE").appendix == "I"
    assert registry.listing_at("Loxodonta cyclotis", ON, "KE").appendix == "I"
    assert registry.listing_at("Mellivora capensis", ON).appendix == "III"
    assert registry.listing_at("Manis", ON).listed_under == "Manis spp."
    rosewood = registry.listing_at("Dalbergia", ON)
    assert (rosewood.appendix, rosewood.annotation_symbol) == ("II", "#15")
    taxon = registry.taxon("Loxodonta africana")
    assert taxon is not None and taxon.author == "(Blumenbach, 1797)" and taxon.order == "Proboscidea"
    assert {(c.language, c.name) for c in taxon.common_names} == {
        ("en", "African Elephant"),
        ("es", "Elefante africano"),
        ("fr", "Éléphant d'Afrique"),
    }


def test_split_listings_of_a_checklist_index_are_read_from_their_population_text(tmp_path: Path) -> None:
    """The African lion (Appendix I "Population of India", Appendix II by the Felidae listing) is Appendix II from
    Tanzania; a population that is a region (the caracal's "population of Asia") or a country named only in
    part (the vicuña's "parts of populations of AR and CL") takes the stricter Appendix; the legal text is
    read where the short one cannot be (Ovis canadensis)."""
    registry, sources = build_from([split_listings_index(tmp_path)], tmp_path / "registry.sqlite")
    assert sources[0].warnings == []

    def lookup(name: str, origin: str | None) -> tuple[str | None, str]:
        result = registry.listing_at(name, ON, origin)
        return result.appendix, result.annotation or ""

    tanzania, india, unknown = (lookup("Panthera leo", origin) for origin in ("TZ", "IN", None))
    assert tanzania[0] == "II" and "African populations" in tanzania[1]
    assert india == ("I", "Only the population of India; all other populations are included in Appendix II.")
    assert unknown[0] == "I" and "split listing: Appendix I (only IN); Appendix II (all populations)" in unknown[1]
    for origin in ("TZ", "IN"):
        caracal = lookup("Caracal caracal", origin)
        assert caracal[0] == "I" and f"split listing not resolved for {origin}" in caracal[1]
    assert [lookup("Vicugna vicugna", origin)[0] for origin in ("PE", "BO", "AR", "CL", "US")] == [
        "II",
        "II",
        "I",
        "I",
        "I",
    ]
    assert (lookup("Ovis canadensis", "MX")[0], lookup("Ovis canadensis", "US")[0]) == ("II", None)


SUBSPECIES_COLUMNS = (*INDEX_COLUMNS, "All_DistributionISOCodes")
LISTED_THROUGH_SUBSPECIES = (
    ("1", "Animalia", "Mammalia", "Felidae", "", "Felidae", "FAMILY", "I/II",
     "Appendix II:Except the species included in Appendix I.", "", ""),
    ("2", "Animalia", "Mammalia", "Felidae", "Panthera", "Panthera leo", "SPECIES", "I/II",
     "Appendix II:Included in Felidae spp. ", "", "AO, BW, IN, KE, TZ, ZA"),
    ("3", "Animalia", "Mammalia", "Felidae", "Panthera", "Panthera leo persica", "SUBSPECIES", "I",
     "Appendix I: ", "", "IN, IR"),
    ("4", "Animalia", "Reptilia", "Boidae", "Boa", "Boa constrictor", "SPECIES", "I/II",
     "Appendix II:Included in Boidae spp.; except <i>B. c. occidentalis</i>.", "", "AR, BO, BR, PY"),
    ("5", "Animalia", "Reptilia", "Boidae", "Boa", "Boa constrictor occidentalis", "SUBSPECIES", "I",
     "Appendix I: ", "", "AR, BO, PY"),
    ("6", "Animalia", "Mammalia", "Cervidae", "Cervus", "Cervus elaphus", "SPECIES", "I/II/III/NC", "", "",
     "DZ, FR, IN, KZ"),
    ("7", "Animalia", "Mammalia", "Cervidae", "Cervus", "Cervus elaphus hanglu", "SUBSPECIES", "I", "", "", "IN"),
    ("8", "Animalia", "Mammalia", "Cervidae", "Cervus", "Cervus elaphus bactrianus", "SUBSPECIES", "II", "", "",
     "KZ"),
    ("9", "Animalia", "Mammalia", "Cervidae", "Cervus", "Cervus elaphus barbarus", "SUBSPECIES", "III", "", "",
     "DZ"),
    # Not limited: the subspecies is Appendix II, less strict than the species' own Appendix I line.
    ("10", "Animalia", "Aves", "Rheidae", "Pterocnemia", "Pterocnemia pennata", "SPECIES", "I/II",
     "Appendix I:Except <i>P. p. pennata</i>", "", "AR, BO, CL, PE"),
    ("11", "Animalia", "Aves", "Rheidae", "Pterocnemia", "Pterocnemia pennata pennata", "SUBSPECIES", "II",
     "Appendix II:All populations.", "", "AR, CL"),
    # Not limited: the subspecies has no distribution; the subspecies is split itself.
    ("12", "Animalia", "Aves", "Estrildidae", "Poephila", "Poephila cincta", "SPECIES", "II/NC", "", "", "AU"),
    ("13", "Animalia", "Aves", "Estrildidae", "Poephila", "Poephila cincta cincta", "SUBSPECIES", "II", "", "", ""),
    ("14", "Animalia", "Mammalia", "Felidae", "Prionailurus", "Prionailurus bengalensis", "SPECIES", "I/II",
     "Appendix II:Except the species included in Appendix I.", "", "BD, ID, IN"),
    ("15", "Animalia", "Mammalia", "Felidae", "Prionailurus", "Prionailurus bengalensis bengalensis", "SUBSPECIES",
     "I/II", "Appendix I:Populations of BD, IN, TH.\nAppendix II:All populations except those of BD, IN, TH.", "",
     "BD, IN, TH"),
)  # fmt: skip


def test_a_species_listed_through_its_subspecies_is_limited_to_where_they_occur(tmp_path: Path) -> None:
    """As in the 2017 Index, Panthera leo is "I/II" with an Appendix II line only: its Appendix I is Panthera leo
    persica's, so it covers the countries where that subspecies occurs, and an African lion is Appendix II."""
    path = tmp_path / "Index_of_CITES_Species_2017-04-21.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([SUBSPECIES_COLUMNS, *LISTED_THROUGH_SUBSPECIES])
    registry, sources = build_from([path], tmp_path / "registry.sqlite")
    assert sources[0].warnings == []

    def appendices(name: str, *origins: str | None) -> list[str | None]:
        return [registry.listing_at(name, ON, origin).appendix for origin in origins]

    assert appendices("Panthera leo", "TZ", "ZA", "IN", "IR", None) == ["II", "II", "I", "I", "I"]
    assert appendices("Panthera leo persica", "IN", None) == ["I", "I"]
    assert appendices("Boa constrictor", "BR", "AR", None) == ["II", "I", "I"]
    assert appendices("Cervus elaphus", "IN", "KZ", "DZ", "FR", None) == ["I", "II", "III", None, "I"]
    assert appendices("Pterocnemia pennata", "AR", "PE") == ["I", "I"]
    assert appendices("Poephila cincta", "AU", "NZ") == ["II", "II"]
    assert appendices("Prionailurus bengalensis", "ID", "IN") == ["I", "I"]


def test_a_subspecies_row_without_a_species_name_limits_nothing(tmp_path: Path) -> None:
    """A subspecies row whose name is one word names no species (found by fuzzing: it was a traceback)."""
    path = tmp_path / "Index_of_CITES_Species_2017-04-21.csv"
    rows = [("9", "Animalia", "", "", "", "Pantherix", "SUBSPECIES", "I", "", "", "IN")]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([SUBSPECIES_COLUMNS, *rows])
    registry, _ = build_from([path], tmp_path / "registry.sqlite")
    assert registry.listing_at("Pantherix", ON).appendix == "I"


def test_a_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    registry, sources = build_from([FIXTURES / "index_bom.csv"], tmp_path / "registry.sqlite")
    assert sources[0].warnings == []
    assert registry.listing_at("Malacochersus tornieri", ON).appendix == "II"


def test_checklist_history(tmp_path: Path) -> None:
    registry, sources = build_from([FIXTURES / "history_small.csv"], tmp_path / "registry.sqlite")
    assert sources[0].warnings == [] and sources[0].as_of == day("2021-01-26")
    elephant = registry.listing_at("Loxodonta africana", day("1976-06-01"))
    assert (elephant.appendix, elephant.party) == ("III", "GH")
    assert registry.listing_at("Loxodonta africana", day("1980-01-01")).appendix == "II"
    assert registry.listing_at("Loxodonta africana", day("2010-01-01"), "ZA").appendix == "II"
    assert registry.listing_at("Loxodonta africana", day("2010-01-01"), "KE").appendix == "I"
    assert registry.listing_at("Loxodonta africana", day("1995-01-01")).reservations == ("MW",)
    assert registry.listing_at("Loxodonta africana", day("2022-01-01"), "KE").reservations == ()
    assert registry.listing_at("Manis javanica", day("2016-12-31")).appendix == "II"
    assert registry.listing_at("Manis javanica", day("2017-01-02")).appendix == "I"
    order = next(r for r in sources[0].records() if r.taxon.full_name == "Psittaciformes")
    assert order.listing_changes[0].excluded_taxa == (
        "Agapornis roseicollis",
        "Melopsittacus undulatus",
        "Nymphicus hollandicus",
        "Psittacula krameri",
    )


def test_a_history_with_only_the_required_columns(tmp_path: Path) -> None:
    registry, sources = build_from([FIXTURES / "history_missing_optional.csv"], tmp_path / "registry.sqlite")
    assert sources[0].warnings == []
    assert registry.listing_at("Cedrela odorata", day("2010-01-01")).appendix == "III"
    assert registry.listing_at("Cedrela odorata", ON).appendix == "II"
    assert registry.listing_at("Cedrela odorata", ON).rank == "SPECIES"


def test_speciesplus_csv_in_latin1(tmp_path: Path) -> None:
    registry, sources = build_from([FIXTURES / "speciesplus_latin1.csv"], tmp_path / "registry.sqlite")
    latin1 = FIXTURES / "speciesplus_latin1.csv"
    assert [str(w) for w in sources[0].warnings] == [f"{latin1}: not valid UTF-8; read as Latin-1"]
    croc = registry.taxon("Crocodylus moreletii")
    assert croc is not None and croc.author == "Duméril, Bibron & Duméril, 1851"
    assert registry.listing_at("Crocodylus moreletii", ON, "MX").appendix == "II"
    assert registry.listing_at("Crocodylus moreletii", ON, "BZ").appendix == "II"
    assert registry.listing_at("Crocodylus moreletii", ON, "GT").appendix == "I"
    alligator = registry.listing_at("Alligator mississippiensis", ON)
    assert (alligator.appendix, alligator.listed_under) == ("II", "Crocodylia spp.")
    agamid = registry.listing_at("Calotes ceylonensis", ON)
    assert (agamid.appendix, agamid.party, agamid.annotation_symbol) == ("III", "LK", "#18")


def test_bad_rows_become_warnings_with_their_line_numbers(tmp_path: Path) -> None:
    path = FIXTURES / "speciesplus_bad_rows.csv"
    registry, sources = build_from([path], tmp_path / "registry.sqlite")
    warnings = [(w.line, w.message) for w in sources[0].warnings]
    assert warnings == [
        (3, "row has 14 fields but the header has 13; skipped"),
        (4, "empty FullName; row skipped"),
        (5, "Testudo kleinmanni: unknown listing 'IV'; taxon kept without a listing"),
        (6, "Anolis roosevelti: 'XYZ' is not an ISO 3166-1 alpha-2 country code; taxon kept without a listing"),
    ]
    assert str(sources[0].warnings[0]).startswith(f"{path}:3: ")
    assert registry.listing_at("Testudo graeca", ON).appendix == "II"
    assert registry.resolve_name("Testudo hermanni") is None
    assert registry.listing_at("Testudo kleinmanni", ON).found
    assert registry.listing_at("Malacochersus tornieri", ON).appendix == "I"


def test_speciesplus_api_concepts_with_a_recorded_history(tmp_path: Path) -> None:
    paths = [FIXTURES / "speciesplus_concepts.json", FIXTURES / "speciesplus_legislation_cassette.json"]
    registry, sources = build_from(paths, tmp_path / "registry.sqlite")
    assert len(sources) == 1 and sources[0].as_of == day("2022-11-27")
    messages = [w.message for w in sources[0].warnings]
    assert any("API error response (We are sorry" in m for m in messages)
    assert any("Loxodonta africana: listing 99999: unknown listing 'IV'" in m for m in messages)
    assert registry.listing_at("Loxodonta cyclotis", day("1976-06-01")).party == "GH"
    assert registry.listing_at("Loxodonta africana", day("1995-01-01"), "BW").appendix == "I"
    assert registry.listing_at("Loxodonta africana", day("1995-01-01")).reservations == ("MW",)
    assert registry.listing_at("Loxodonta africana", day("2018-01-01"), "BW").appendix == "II"
    assert registry.listing_at("Loxodonta africana", day("2018-01-01"), "KE").appendix == "I"
    kinkajou = registry.listing_at("Potos flavus", ON)
    assert (kinkajou.appendix, kinkajou.party, kinkajou.annotation_symbol) == ("III", "HN", "#1")
    hummingbird = registry.listing_at("Archilochus colubris", ON)
    assert (hummingbird.appendix, hummingbird.listed_under) == ("II", "Trochilidae spp.")
    sitatunga = registry.listing_at("Tragelaphus spekii", ON)
    assert sitatunga.found and sitatunga.appendix is None
    taxon = registry.taxon("Loxodonta africana")
    assert taxon is not None and {c.language for c in taxon.common_names} == {"en", "fr", "es"}


def test_a_history_without_its_taxon_concept_is_skipped_with_a_warning(tmp_path: Path) -> None:
    source = open_sources([FIXTURES / "speciesplus_legislation_cassette.json"])[0]
    assert list(source.records()) == []
    assert any("taxon concept 4521 has no taxon_concepts record" in w.message for w in source.warnings)
    with pytest.raises(InputError, match="no taxa found; the registry is unchanged"):
        import_files([FIXTURES / "speciesplus_legislation_cassette.json"], target=tmp_path / "r.sqlite")
    assert not (tmp_path / "r.sqlite").exists()


def test_registry_yaml(tmp_path: Path) -> None:
    registry, sources = build_from([FIXTURES / "registry_custom.yaml"], tmp_path / "registry.sqlite")
    assert [(w.line, w.message) for w in sources[0].warnings] == [
        (23, "Nomen nudum: unknown key(s) colour ignored"),
        (22, "Struthio camelus: appendix must be one of I, II, III, not 'V'; listing skipped"),
    ]
    assert registry.info().as_of == day("2024-01-01")
    assert registry.listing_at("Testudo graeca", ON).listed_under == "Testudinidae spp."
    assert registry.listing_at("Struthio camelus", ON, "NO").appendix == "I"
    assert registry.listing_at("Struthio camelus", ON, "ZA").appendix is None


def test_names_and_exclusions_are_read_from_text() -> None:
    synonyms = (
        "Cervus porcinus Zimmermann, 1777, Hyelaphus porcinus (Zimmermann, 1780), "
        "Cedrela occidentalis C.DC. & Rose in Rose"
    )
    assert names_with_authors(synonyms) == ["Cervus porcinus", "Hyelaphus porcinus", "Cedrela occidentalis"]
    assert names_with_authors("Aloe vera var. chinensis Baker") == ["Aloe vera var. chinensis"]
    text = "Except the species in Appendix I. Excludes <i>Abronia aurita, A. montecristoi</i> and Cathartidae spp."
    assert excluded_taxa(text) == ("Abronia aurita", "Abronia montecristoi", "Cathartidae")
    quota = "Except the species in Appendix I. Zero export quota for <i>Abronia aurita</i>."
    assert excluded_taxa(quota) == ()
