"""The importers on the real exports in ../shared/data (read in place; skipped when the folder is absent),
including the acceptance test: the imported 2017 Checklist Index gives each species its CurrentListing, and
where the embedded default registry knows a species it agrees with the Index."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from permits.registry import APPENDICES, Registry
from permits.registry.sources import ImportWarning, RegistrySource
from permits.rules.confinement import deemed_appendix_i
from tests.registry.conftest import (
    API_FIXTURES,
    INDEX_2017,
    REPTILES_CSV,
    SAPI_HISTORY,
    build_from,
    day,
    shared_path,
)

INDEX_DATE = day("2017-04-21")
SINGLE_LISTINGS = {"I", "II", "III", "NC"}
# Adopted at CoP17 with entry into force delayed to 2017-10-04: the April 2017 Index already shows them in
# Appendix II, the embedded registry (dated by entry into force) does not yet on that date.
DELAYED_AT_INDEX_DATE = {"Alopias vulpinus", "Alopias superciliosus", "Alopias pelagicus", "Carcharhinus falciformis"}
DELAYED_GENERA = {"Mobula", "Alopias"}
# Synonyms the Index gives for several taxa with listings of their own in different Appendices (2 of them agree
# on the Index date: a split listing's strictest part, a genus listing).
ACROSS_APPENDICES = (
    "Acipenser lichtensteinii",
    "Acipenser obtusirostris",
    "Ancistrocactus tobuschii",
    "Cyathea mindanensis",
    "Neolloydia pilispina",
    "Nepenthes melamphora",
    "Nepenthes phyllamphora",
    "Nepenthes rubra",
    "Salamandra maxima",
    "Trionyx javanicus",
    "Zamia cycadifolia",
)


def index_species_rows() -> list[dict[str, str]]:
    with gzip.open(shared_path(*INDEX_2017), "rt", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["RankName"] == "SPECIES"]


def test_the_2017_index_imports_all_taxa(index_2017: tuple[Registry, RegistrySource]) -> None:
    registry, source = index_2017
    info = registry.info()
    assert info.taxa == 38_079
    assert info.as_of == INDEX_DATE and source.warnings == []
    assert info.synonyms > 25_000 and info.listing_changes > 37_000


def test_synonyms_of_several_taxa_in_the_2017_index_are_judged_by_the_strictest(
    index_2017: tuple[Registry, RegistrySource],
) -> None:
    """482 synonyms of the Index name more than one taxon, all counted. The 11 whose taxa have listings of their
    own in different Appendices are judged as the strictest of their taxa, on the Index date 9 of them as an
    Appendix I taxon rather than a weaker one (Acipenser lichtensteinii: Acipenser sturio, not the Appendix II
    Acipenser oxyrinchus)."""
    registry, _source = index_2017
    assert registry.info().ambiguous_names == 482
    stricter_than_another = []
    for name in ACROSS_APPENDICES:
        result = registry.listing_at(name, INDEX_DATE)
        appendices = [APPENDICES.index(candidate.appendix or "") for candidate in result.candidates]
        assert len(appendices) > 1 and appendices == sorted(appendices), name
        assert (
            result.appendix == result.candidates[0].appendix
            and result.accepted_name == result.candidates[0].accepted_name
        )
        if appendices[0] < appendices[-1]:
            stricter_than_another.append(name)
            assert result.appendix == "I", name
    assert set(ACROSS_APPENDICES) - set(stricter_than_another) == {"Ancistrocactus tobuschii", "Cyathea mindanensis"}
    assert registry.listing_at("Acipenser lichtensteinii", INDEX_DATE).accepted_name == "Acipenser sturio"


def test_acceptance_every_species_gets_its_current_listing(index_2017: tuple[Registry, RegistrySource]) -> None:
    """Split listings ("I/II", "II/NC", ...) and the few species with an empty CurrentListing are skipped."""
    registry, _source = index_2017
    checked, wrong = 0, []
    for row in index_species_rows():
        listing = row["CurrentListing"]
        if listing not in SINGLE_LISTINGS:
            continue
        checked += 1
        result = registry.listing_at(row["FullName"], INDEX_DATE)
        if result.appendix != (None if listing == "NC" else listing):
            wrong.append((row["FullName"], listing, result.appendix))
    assert checked > 35_000
    assert wrong == []


def test_the_embedded_registry_agrees_with_the_2017_index(
    index_2017: tuple[Registry, RegistrySource], embedded: Registry
) -> None:
    """Every species both know (by accepted name or synonym) has the same Appendix on the Index date, except
    the listings adopted at CoP17 whose entry into force was delayed (documented above)."""
    registry, _source = index_2017
    compared, differences = 0, []
    for row in index_species_rows():
        name, listing = row["FullName"], row["CurrentListing"]
        ours = embedded.listing_at(name, INDEX_DATE)
        if not ours.found or listing not in SINGLE_LISTINGS:
            continue
        compared += 1
        if ours.appendix != registry.listing_at(name, INDEX_DATE).appendix:
            differences.append(name)
    assert compared >= 150
    assert all(name in DELAYED_AT_INDEX_DATE or name.split()[0] in DELAYED_GENERA for name in differences), differences
    for name in differences:
        assert embedded.listing_at(name, day("2017-10-04")).appendix == "II"


@pytest.mark.parametrize(
    ("name", "origins"),
    [
        # Appendix I is Panthera leo persica's (the Index gives the species no Appendix I line of its own).
        ("Panthera leo", {"TZ": "II", "ZA": "II", "KE": "II", "IN": "I", None: "I"}),
        ("Loxodonta africana", {"BW": "II", "NA": "II", "ZA": "II", "ZW": "II", "KE": "I", "TZ": "I", None: "I"}),
        ("Crocodylus niloticus", {"TZ": "II", "EG": "II", "NG": "I", None: "I"}),
        ("Canis lupus", {"IN": "I", "PK": "I", "CA": "II", "RU": "II"}),
        ("Ursus arctos", {"CN": "I", "MX": "I", "US": "II", "RU": "II"}),
        ("Vicugna vicugna", {"PE": "II", "BO": "II", "EC": "II", "AR": "I", "CL": "I", "US": "I"}),
        ("Crocodylus acutus", {"CU": "II", "CO": "I", "MX": "I"}),
        ("Ovis canadensis", {"MX": "II", "US": None}),
        ("Boa constrictor", {"BR": "II", "AR": "I"}),
        ("Cervus elaphus", {"IN": "I", "KZ": "II", "DZ": "III", "FR": None}),
        # Places that are not countries take the stricter Appendix.
        ("Caracal caracal", {"IN": "I", "TZ": "I"}),
        ("Balaenoptera acutorostrata", {"GL": "I", "NO": "I"}),
    ],
)
def test_split_listings_of_the_2017_index_by_origin(
    index_2017: tuple[Registry, RegistrySource], name: str, origins: dict[str | None, str | None]
) -> None:
    """The Index gives split listings in words only: the African lion and elephant, and the others, have the
    Appendix of their origin; a country named only in part (the vicuna's Argentina, the American crocodile's
    Colombia) or a region (the caracal's Asia, the minke whale's West Greenland) gives the stricter one."""
    registry, _source = index_2017
    assert {origin: registry.listing_at(name, INDEX_DATE, origin).appendix for origin in origins} == origins


def test_speciesplus_reptiles_listing(tmp_path: Path) -> None:
    path = shared_path(*REPTILES_CSV)
    registry, sources = build_from([path], tmp_path / "registry.sqlite")
    assert registry.info().taxa == 1_196 and sources[0].warnings == []
    on = day("2023-07-01")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["Listing"] in ("I", "II", "III"):
            result = registry.listing_at(row["Scientific Name"], on)
            assert (result.appendix, result.party) == (row["Listing"], row["Party"] or None), row["Scientific Name"]
    assert registry.listing_at("Ctenophorus caudicinctus", on).listed_under == "Ctenophorus spp."
    assert registry.listing_at("Alligator mississippiensis", on).listed_under == "Crocodylia spp."
    assert registry.listing_at("Crocodylus niloticus", on, "KE").appendix == "II"
    assert registry.listing_at("Crocodylus niloticus", on, "NG").appendix == "I"
    assert registry.listing_at("Caiman latirostris", on, "AR").appendix == "II"
    # Mexico and Cuba are Appendix II; Colombia only for one district's mangroves, the Philippines for Palawan.
    assert [registry.listing_at("Crocodylus acutus", on, origin).appendix for origin in ("MX", "CU", "CO")] == [
        "II",
        "II",
        "I",
    ]
    assert [registry.listing_at("Crocodylus porosus", on, origin).appendix for origin in ("MY", "PH", "IN")] == [
        "II",
        "I",
        "I",
    ]


def test_speciesplus_api_recorded_elephant_history(tmp_path: Path) -> None:
    fixtures = shared_path(*API_FIXTURES)
    paths = [fixtures / "spp_taxonconcept_def.json", fixtures / "spp_cites_legislation_sco.json"]
    registry, sources = build_from(paths, tmp_path / "registry.sqlite")
    assert sources[0].warnings == [] and registry.info().listing_changes == 42

    def at(date: str, origin: str | None = None) -> str | None:
        return registry.listing_at("Loxodonta africana", day(date), origin).appendix

    assert registry.listing_at("Loxodonta africana", day("1976-06-01")).party == "GH"
    assert (at("1980-01-01", "KE"), at("1995-01-01", "BW"), at("1998-01-01", "BW"), at("1998-01-01", "ZA")) == (
        "II",
        "I",
        "II",
        "I",
    )
    assert (at("2020-01-01", "BW"), at("2020-01-01", "KE"), at("2020-01-01")) == ("II", "I", "I")
    # From 2000 the French text lists South Africa's population in a paragraph of its own, and Zimbabwe's
    # from 2003: both stay in Appendix II.
    assert (at("2001-01-01", "ZA"), at("2004-01-01", "ZW"), at("2004-01-01", "KE")) == ("II", "II", "I")
    assert registry.listing_at("Loxodonta cyclotis", day("2020-01-01"), "NA").appendix == "II"
    assert "MW" in registry.listing_at("Loxodonta africana", day("1995-01-01")).reservations
    assert "MW" not in registry.listing_at("Loxodonta africana", day("2022-01-01"), "KE").reservations


def test_speciesplus_api_page_of_500_taxon_concepts(tmp_path: Path) -> None:
    fixtures = shared_path(*API_FIXTURES)
    registry, sources = build_from([fixtures / "spp_taxonconcept_upd.json"], tmp_path / "registry.sqlite")
    assert registry.info().taxa == 500 and sources[0].warnings == []
    on = day("2022-11-27")
    wolf = registry.listing_at("Canis lupus", on, "IN")
    assert wolf.appendix == "I"
    assert registry.listing_at("Canis lupus", on, "CA").appendix == "II"
    assert registry.listing_at("Ovis aries", on).appendix is None


@pytest.mark.parametrize(
    ("name", "date", "origin", "expected"),
    [
        ("Manis javanica", "1990-01-01", None, "II"),
        ("Loxodonta africana", "1980-01-01", None, "II"),
        ("Loxodonta africana", "1998-01-01", "BW", "II"),
        ("Loxodonta africana", "1998-01-01", "KE", "I"),
        ("Ceratotherium simum simum", "2006-01-01", "ZA", "II"),
        ("Ceratotherium simum simum", "2006-01-01", "KE", "I"),
        ("Dugong dugon", "1990-01-01", "AU", "II"),
        ("Dugong dugon", "2001-01-01", "AU", "I"),
        ("Vicugna vicugna", "2010-01-01", "PE", "II"),
        ("Vicugna vicugna", "2010-01-01", "EC", "I"),
        ("Vicugna vicugna", "2014-01-01", "EC", "II"),
        ("Psittaciformes", "1985-01-01", None, "II"),
    ],
)
def test_sapi_listing_history_1975_2013(
    sapi_history: Registry, name: str, date: str, origin: str | None, expected: str
) -> None:
    assert sapi_history.listing_at(name, day(date), origin).appendix == expected


def test_sapi_history_inclusions_and_exclusions(sapi_history: Registry) -> None:
    assert sapi_history.info().as_of == day("2013-06-12")
    manis = sapi_history.listing_at("Manis javanica", day("2000-01-01"))
    assert (manis.appendix, manis.listed_under) == ("II", "Manis spp.")
    order = sapi_history.listing_at("Psittaciformes", day("2010-01-01"))
    assert order.appendix == "II" and "Agapornis roseicollis" in (order.annotation or "")


def test_sapi_history_rows_without_a_name_are_line_numbered_warnings(
    sapi_history_warnings: list[ImportWarning],
) -> None:
    assert len(sapi_history_warnings) == 14
    assert all(w.message == "empty FullName; row skipped" and w.line for w in sapi_history_warnings)


@pytest.fixture(scope="module")
def sapi_import(tmp_path_factory: pytest.TempPathFactory) -> tuple[Registry, RegistrySource]:
    path = shared_path(*SAPI_HISTORY)
    registry, sources = build_from([path], tmp_path_factory.mktemp("sapi") / "registry.sqlite")
    return registry, sources[0]


@pytest.fixture
def sapi_history(sapi_import: tuple[Registry, RegistrySource]) -> Registry:
    return sapi_import[0]


@pytest.fixture
def sapi_history_warnings(sapi_import: tuple[Registry, RegistrySource]) -> list[ImportWarning]:
    return sapi_import[1].warnings


@pytest.mark.parametrize(
    ("name", "origin", "deemed", "kept"),
    [
        ("Ceratotherium simum simum", "ZA", ("HOR", "T"), ("TRO", "H")),
        ("Loxodonta africana", "NA", ("TUS", "T"), ("SKI", "T")),
        ("Loxodonta africana", "ZW", ("IVC", "T"), ("IVC", "P")),
        ("Vicugna vicugna", "PE", ("SKI", "T"), ("FIB", "T")),
        ("Vicugna vicugna", "BO", ("MEA", "T"), ("GAR", "T")),
    ],
)
def test_the_index_annotations_confine_split_listings(
    index_2017: tuple[Registry, RegistrySource], name: str, origin: str, deemed: tuple[str, str], kept: tuple[str, str]
) -> None:
    """The Appendix II populations of the 2017 Index carry their annotation text, which the rules read: specimens
    the annotation does not name are deemed Appendix I."""
    registry, _source = index_2017
    listing = registry.listing_at(name, INDEX_DATE, origin)
    assert listing.appendix == "II"
    assert deemed_appendix_i(listing.appendix, listing.annotation, *deemed, origin) is not None
    assert deemed_appendix_i(listing.appendix, listing.annotation, *kept, origin) is None
