"""Lookup semantics on the embedded default registry: names, inheritance, exclusions, split listings,
Appendix III Parties, listing history and suggestions."""

from __future__ import annotations

import pytest

from permits.registry import Registry
from permits.registry.sources.embedded import EmbeddedSource
from tests.registry.conftest import day

TODAY = day("2025-06-01")


def appendix(registry: Registry, name: str, on: str = "2025-06-01", origin: str | None = None) -> str | None:
    return registry.listing_at(name, day(on), origin).appendix


def test_the_embedded_data_load_without_warnings_and_cover_every_group(embedded: Registry) -> None:
    source = EmbeddedSource()
    records = list(source.records())
    assert source.warnings == []
    info = embedded.info()
    assert info.taxa == len(records) >= 200
    assert info.origin == "embedded" and info.as_of == TODAY
    assert "subset" in info.source
    kingdoms = {record.taxon.kingdom for record in records}
    assert kingdoms == {"Animalia", "Plantae"}
    classes = {record.taxon.class_ for record in records}
    assert {"Mammalia", "Aves", "Reptilia", "Amphibia", "Elasmobranchii", "Actinopterygii", "Anthozoa"} <= classes


@pytest.mark.parametrize(
    "name",
    ["Loxodonta africana", "Panthera tigris", "Manis javanica", "Psittacus erithacus", "Chelonia mydas",
     "Carcharodon carcharias", "Anguilla anguilla", "Dalbergia nigra", "Pterocarpus santalinus"],
)  # fmt: skip
def test_main_species_have_english_french_and_spanish_common_names(embedded: Registry, name: str) -> None:
    found = embedded.taxon(name)
    assert found is not None
    assert {"en", "fr", "es"} <= {common.language for common in found.common_names}


def test_names_match_exactly_or_ignoring_case_and_spacing(embedded: Registry) -> None:
    for query in ("Loxodonta africana", "  loxodonta   AFRICANA ", "Loxodonta\u00a0africana"):
        result = embedded.listing_at(query, TODAY)
        assert result.accepted_name == result.matched_name == "Loxodonta africana"
        assert result.query == query
    assert embedded.listing_at("manis spp.", TODAY).accepted_name == "Manis"


def test_a_synonym_resolves_to_the_accepted_name(embedded: Registry) -> None:
    result = embedded.listing_at("Phataginus tricuspis", TODAY)
    assert (result.accepted_name, result.matched_name, result.appendix) == ("Manis tricuspis", result.query, "I")
    assert result.is_synonym
    assert embedded.resolve_name("uncia uncia") == "Panthera uncia"
    assert appendix(embedded, "Manta birostris") == "II"


def test_a_species_without_its_own_listing_inherits_from_its_genus_family_or_order(embedded: Registry) -> None:
    parrot = embedded.listing_at("Amazona aestiva", TODAY)
    assert (parrot.appendix, parrot.listed_under, parrot.kingdom) == ("II", "Psittaciformes spp.", "Animalia")
    assert embedded.listing_at("Dalbergia latifolia", TODAY).listed_under == "Dalbergia spp."
    assert embedded.listing_at("Phalaenopsis amabilis", TODAY).listed_under == "Orchidaceae spp."
    assert embedded.listing_at("Lontra canadensis", TODAY).listed_under == "Lutrinae spp."
    assert embedded.listing_at("Hippocampus kuda", TODAY).listed_under == "Hippocampus spp."


def test_a_family_listing_applies_from_its_effective_date(embedded: Registry) -> None:
    assert appendix(embedded, "Prionace glauca", "2023-11-24") is None
    blue_shark = embedded.listing_at("Prionace glauca", day("2023-11-25"))
    assert (blue_shark.appendix, blue_shark.listed_under) == ("II", "Carcharhinidae spp.")
    assert embedded.listing_at("Carcharhinus longimanus", TODAY).listed_under == "Carcharhinus longimanus"


def test_taxa_excepted_from_a_higher_taxon_listing_are_not_listed(embedded: Registry) -> None:
    for name in ("Melopsittacus undulatus", "Nymphicus hollandicus", "Psittacula krameri", "Agapornis roseicollis"):
        result = embedded.listing_at(name, TODAY)
        assert result.found and result.appendix is None, name
        assert "excluded from the listing of Psittaciformes spp." in (result.annotation or "")
    assert appendix(embedded, "Agapornis roseicollis", "2004-12-31") == "II"
    assert appendix(embedded, "Agapornis fischeri") == "II"
    assert appendix(embedded, "Felis catus") is None and appendix(embedded, "Felis silvestris") == "II"
    assert appendix(embedded, "Canis familiaris") is None and appendix(embedded, "Canis lupus", origin="US") == "II"
    assert appendix(embedded, "Cathartes aura") is None and appendix(embedded, "Vultur gryphus") == "I"
    assert appendix(embedded, "Aloe vera") is None and appendix(embedded, "Aloe ferox") == "II"
    assert appendix(embedded, "Pereskia aculeata") is None


def test_a_species_own_listing_wins_over_the_higher_taxon(embedded: Registry) -> None:
    grey_parrot = embedded.listing_at("Psittacus erithacus", TODAY)
    assert (grey_parrot.appendix, grey_parrot.listed_under) == ("I", "Psittacus erithacus")
    assert appendix(embedded, "Psittacus erithacus", "2016-12-31") == "II"
    assert appendix(embedded, "Ara macao") == "I"
    assert appendix(embedded, "Paphiopedilum rothschildianum") == "I"
    assert appendix(embedded, "Tapirus terrestris") == "II"


def test_split_listings_are_resolved_by_origin(embedded: Registry) -> None:
    assert appendix(embedded, "Loxodonta africana", origin="BW") == "II"
    assert appendix(embedded, "Loxodonta africana", origin="za") == "II"
    assert appendix(embedded, "Loxodonta africana", origin="KE") == "I"
    unknown_origin = embedded.listing_at("Loxodonta africana", TODAY)
    assert unknown_origin.appendix == "I"
    note = unknown_origin.annotation or ""
    assert "split listing" in note and "most restrictive" in note
    assert appendix(embedded, "Ceratotherium simum simum", origin="ZA") == "II"
    assert appendix(embedded, "Ceratotherium simum simum", origin="SZ") == "II"
    assert appendix(embedded, "Ceratotherium simum simum", origin="KE") == "I"
    assert appendix(embedded, "Crocodylus niloticus", origin="KE") == "II"
    assert appendix(embedded, "Crocodylus niloticus", origin="NG") == "I"
    assert appendix(embedded, "Panthera leo", origin="IN") == "I"
    assert embedded.listing_at("Panthera leo", TODAY, "TZ").listed_under == "Felidae spp."


def test_a_population_outside_a_population_listing_is_not_listed(embedded: Registry) -> None:
    assert appendix(embedded, "Struthio camelus", origin="DZ") == "I"
    assert appendix(embedded, "Struthio camelus", origin="ZA") is None
    assert appendix(embedded, "Diospyros ebenum", origin="LK") is None
    assert appendix(embedded, "Diospyros ebenum", origin="MG") == "II"


def test_appendix_iii_listings_carry_their_listing_party(embedded: Registry) -> None:
    badger = embedded.listing_at("Mellivora capensis", TODAY)
    assert (badger.appendix, badger.party, badger.parties) == ("III", "BW", ("BW",))
    assert embedded.listing_at("Mellivora capensis", day("2000-01-01")).parties == ("BW", "GH")
    cedar_colombia = embedded.listing_at("Cedrela odorata", day("2015-01-01"), "CO")
    assert (cedar_colombia.appendix, cedar_colombia.party) == ("III", "CO")
    cedar_elsewhere = embedded.listing_at("Cedrela odorata", day("2015-01-01"), "KE")
    assert (cedar_elsewhere.appendix, cedar_elsewhere.party, cedar_elsewhere.parties) == ("III", None, ("BO", "BR"))
    assert appendix(embedded, "Cedrela odorata", "2024-01-01") == "II"


def test_the_listing_in_force_on_the_date_is_used(embedded: Registry) -> None:
    before = embedded.listing_at("Manis javanica", day("2016-12-31"))
    assert (before.appendix, before.listed_under, before.effective_at) == ("II", "Manis spp.", day("1995-02-16"))
    after = embedded.listing_at("Manis javanica", day("2017-01-02"))
    assert (after.appendix, after.effective_at) == ("I", day("2017-01-02"))
    assert appendix(embedded, "Malacochersus tornieri", "2019-11-25") == "II"
    assert appendix(embedded, "Malacochersus tornieri", "2019-11-26") == "I"
    assert appendix(embedded, "Sphyrna lewini", "2013-01-01") == "III"
    assert appendix(embedded, "Anguilla anguilla", "2009-03-12") is None
    assert appendix(embedded, "Anguilla anguilla", "2009-03-13") == "II"
    assert appendix(embedded, "Cattleya trianaei", "2004-01-01") == "I"
    assert embedded.listing_at("Cattleya trianaei", day("2006-01-01")).listed_under == "Orchidaceae spp."
    assert appendix(embedded, "Giraffa camelopardalis", "2019-01-01") is None


def test_the_elephant_history_is_replayed(embedded: Registry) -> None:
    assert embedded.listing_at("Loxodonta africana", day("1976-06-01")).party == "GH"
    assert appendix(embedded, "Loxodonta africana", "1980-01-01", "KE") == "II"
    assert appendix(embedded, "Loxodonta africana", "1995-01-01", "BW") == "I"
    assert appendix(embedded, "Loxodonta africana", "1998-01-01", "BW") == "II"
    assert appendix(embedded, "Loxodonta africana", "1998-01-01", "ZA") == "I"
    assert appendix(embedded, "Loxodonta africana", "2001-01-01", "ZA") == "II"


def test_reservations_in_force_are_reported(embedded: Registry) -> None:
    assert embedded.listing_at("Loxodonta africana", day("1995-01-01"), "KE").reservations == ("MW",)
    assert embedded.listing_at("Loxodonta africana", day("2022-01-01"), "KE").reservations == ()
    assert embedded.listing_at("Loxodonta africana", TODAY, "BW").reservations == ("BW", "NA", "ZA", "ZW")


def test_unknown_names_get_suggestions(embedded: Registry) -> None:
    result = embedded.listing_at("Loxodonta africanus", TODAY)
    assert (result.accepted_name, result.appendix, result.found) == (None, None, False)
    assert result.suggestions[0] == "Loxodonta africana"
    assert "Psittacus erithacus" in embedded.listing_at("Psitacus erithacus", TODAY).suggestions
    assert embedded.listing_at("Qqqqqq zzzzzz", TODAY).suggestions == []


def test_an_unknown_species_of_a_listed_genus_has_the_genus_listing(embedded: Registry) -> None:
    """A genus or higher-taxon listing covers every species of the genus, named in the registry or not."""
    result = embedded.listing_at("Amazona nonexistens", TODAY)
    assert (result.found, result.appendix, result.listed_under) == (False, "II", "Psittaciformes spp.")
    assert "genus Amazona is in Appendix II (Psittaciformes spp.)" in (result.annotation or "")
    assert embedded.listing_at("Dalbergia inventa", TODAY).appendix == "II"


@pytest.mark.parametrize(
    ("written", "appendix", "read_as"),
    [
        ("Panthera tigris amoyensis", "I", "Panthera tigris"),  # a subspecies the registry lacks
        ("Panthera tigris (Linnaeus, 1758)", "I", "Panthera tigris"),  # author text
        ("Manis javanica Desmarest, 1822", "I", "Manis javanica"),
        ("Manis javanica.", "I", "Manis javanica"),
        ("Manis j\u00e1vanica", "I", "Manis javanica"),  # an accent
        ("Loxodonta\u200b africana", "I", "Loxodonta africana"),  # a zero-width space
        ("Lox\u00adodonta africana", "I", "Loxodonta africana"),  # a soft hyphen
        ("Loxodont\u0251 \u0251fric\u0251n\u0251", "I", "Loxodonta africana"),  # Latin alpha for a
        ("Ceratotherium s\u0456mum s\u0456mum", "I", "Ceratotherium simum simum"),  # Cyrillic i
        ("Ara ararauna x Ara macao", "I", "Ara macao"),  # a hybrid: its strictest parent
        ("Ara ararauna X macao", "I", "Ara macao"),  # the second parent without its genus
        ("Ara ararauna \u00d7 A. macao", "I", "Ara macao"),  # the multiplication sign, an abbreviated genus
        ("Manis spp. Linnaeus", "II", "Manis"),  # a genus name with author text: the genus's own entry
    ],
)
def test_an_unknown_name_is_read_as_the_name_it_writes(
    embedded: Registry, written: str, appendix: str, read_as: str
) -> None:
    """A name the registry does not know as written, but does once author text, punctuation, invisible
    characters, accents and look-alike letters are left out, or cut to its species, has that listing (still
    unknown as written: the rules warn), so that it cannot pass as unlisted or under the genus listing."""
    result = embedded.listing_at(written, TODAY, "KE")
    assert (result.found, result.appendix) == (False, appendix)
    assert read_as in (result.annotation or ""), result.annotation


def test_a_hybrid_with_a_parent_the_registry_cannot_read_stays_unknown(embedded: Registry) -> None:
    assert embedded.listing_at("Ara ararauna x Zzyzx nowhere", TODAY).appendix is None


def test_the_strictest_listing_within_a_higher_taxon(embedded: Registry) -> None:
    disguised = embedded.strictest_member("Man\u0456s spp.", TODAY)  # a Cyrillic i
    assert disguised is not None and disguised.appendix == "I"
    assert embedded.listing_at("Manis spp.", TODAY).appendix == "II"  # the genus's own entry
    strictest = embedded.strictest_member("Manis spp.", TODAY)
    assert strictest is not None and strictest.appendix == "I"
    assert embedded.strictest_member("Manis javanica", TODAY) is None  # a species
    assert embedded.strictest_member("No such", TODAY) is None


def test_the_json_form_has_the_documented_keys(embedded: Registry) -> None:
    data = embedded.listing_at("Manis javanica", day("2016-12-31"), "MY").to_json()
    assert {"query", "accepted_name", "appendix", "listed_under", "party", "annotation", "effective_at",
            "suggestions"} <= set(data)  # fmt: skip
    assert (data["appendix"], data["effective_at"], data["origin"]) == ("II", "1995-02-16", "MY")
