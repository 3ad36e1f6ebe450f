"""The compiled registry file and the replay rules, on small registries built from records (real SQLite)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from permits.errors import ConfigurationError, InputError
from permits.registry import ChangeType, Registry, TaxonRecord, load_registry
from permits.registry.default import default_registry_path
from tests.registry.conftest import Build, build_from, change, day, sturgeon_index, taxon

ON = day("2024-01-01")


def test_a_deletion_ends_a_listing_and_the_higher_taxon_applies_again(build: Build) -> None:
    registry = build(
        TaxonRecord(taxon("Orchidaceae", "FAMILY"), (change("II", "1975-07-01"),)),
        TaxonRecord(
            taxon("Cattleya trianaei", family="Orchidaceae"),
            (change("I", "1975-07-01"), change("I", "2005-01-12", change_type=ChangeType.DELETION)),
        ),
    )
    assert registry.listing_at("Cattleya trianaei", day("2000-01-01")).appendix == "I"
    after = registry.listing_at("Cattleya trianaei", ON)
    assert (after.appendix, after.listed_under) == ("II", "Orchidaceae spp.")


def test_a_population_deletion_removes_only_that_population(build: Build) -> None:
    registry = build(
        TaxonRecord(
            taxon("Dugong dugon"),
            (
                change("I", "1975-07-01", excluded_countries=("AU", "PG")),
                change("II", "1975-07-01", included_countries=("AU", "PG")),
                change("II", "2000-07-19", change_type=ChangeType.DELETION, included_countries=("AU",)),
            ),
        )
    )
    assert registry.listing_at("Dugong dugon", day("1990-01-01"), "AU").appendix == "II"
    assert registry.listing_at("Dugong dugon", ON, "PG").appendix == "II"
    assert registry.listing_at("Dugong dugon", ON, "KE").appendix == "I"
    # AU left Appendix II, and the Appendix I entry still excludes it: never "not listed", the strictest applies.
    australia = registry.listing_at("Dugong dugon", ON, "AU")
    assert australia.appendix == "I" and "no entry covers the population of AU" in (australia.annotation or "")


def test_an_entry_whose_populations_were_not_read_competes_for_every_origin_and_transfers_nothing(
    build: Build,
) -> None:
    """Vicugna vicugna as a 2017-like Index gives it: Appendix II names parts of the populations of AR and CL (read
    as unread populations), Appendix I all but BO, EC and PE. A later Appendix II addition with unread populations
    does not end the Appendix I entry, and a deletion with unread populations removes nothing."""
    registry = build(
        TaxonRecord(
            taxon("Vicugna vicugna"),
            (change("I", "1975-07-01"),
             change("I", "2010-01-01", excluded_countries=("BO", "EC", "PE")),
             change("II", "2010-01-01", unread_populations=True),
             change("II", "2012-01-01", change_type=ChangeType.DELETION, unread_populations=True)),
        ),
        TaxonRecord(
            taxon("Crocodylus niloticus"),
            (change("I", "1975-07-01"), change("II", "2000-01-01", included_countries=("KE",)),
             change("II", "2005-01-01", included_countries=("TZ",)),
             change("II", "2005-01-01", unread_populations=True)),
        ),
    )  # fmt: skip
    assert registry.listing_at("Vicugna vicugna", day("2000-01-01"), "PE").appendix == "I"
    assert registry.listing_at("Vicugna vicugna", ON, "PE").appendix == "II"
    argentina = registry.listing_at("Vicugna vicugna", ON, "AR")
    assert argentina.appendix == "I"
    assert "split listing not resolved for AR" in (argentina.annotation or "")
    assert "some populations, not read" in (argentina.annotation or "")
    no_origin = registry.listing_at("Vicugna vicugna", ON)
    assert no_origin.appendix == "I" and "no origin given" in (no_origin.annotation or "")
    # An entry naming the origin no longer wins alone while another one may cover it too.
    assert registry.listing_at("Crocodylus niloticus", day("2001-01-01"), "KE").appendix == "II"
    assert registry.listing_at("Crocodylus niloticus", ON, "TZ").appendix == "I"


def test_transfers_and_appendix_iii_listings(build: Build) -> None:
    registry = build(
        TaxonRecord(
            taxon("Hippopotamus amphibius"),
            (change("III", "1976-02-26", party="GH"), change("III", "1980-01-01", party="KE"),
             change("III", "1985-01-01", party="GH", annotation="amended"),
             change("II", "1995-02-16")),
        )
    )  # fmt: skip
    early = registry.listing_at("Hippopotamus amphibius", day("1981-01-01"), "GH")
    assert (early.appendix, early.party, early.parties, early.annotation) == ("III", "GH", ("GH", "KE"), None)
    assert registry.listing_at("Hippopotamus amphibius", day("1990-01-01"), "GH").annotation == "amended"
    later = registry.listing_at("Hippopotamus amphibius", ON, "GH")
    assert (later.appendix, later.party, later.parties) == ("II", None, ())


def test_a_population_amendment_keeps_the_other_appendix(build: Build) -> None:
    registry = build(
        TaxonRecord(
            taxon("Panthera leo", family="Felidae"),
            (change("I", "1977-02-04", included_countries=("IN",)),
             change("II", "2017-01-02", excluded_countries=("IN",)),
             change("II", "2019-11-26", excluded_countries=("IN",), annotation="new text")),
        ),
        TaxonRecord(taxon("Felidae", "FAMILY"), (change("II", "1977-02-04"),)),
    )  # fmt: skip
    assert registry.listing_at("Panthera leo", ON, "IN").appendix == "I"
    kenya = registry.listing_at("Panthera leo", ON, "KE")
    assert (kenya.appendix, kenya.annotation) == ("II", "new text")
    assert registry.listing_at("Panthera leo", day("2000-01-01"), "KE").listed_under == "Felidae spp."


def test_exclusions_of_a_higher_taxon_cover_lower_ranks(build: Build) -> None:
    registry = build(
        TaxonRecord(taxon("Cactaceae", "FAMILY"), (change("II", "1975-07-01", excluded_taxa=("Pereskia",)),)),
        TaxonRecord(taxon("Pereskia aculeata", family="Cactaceae", genus="Pereskia")),
        TaxonRecord(taxon("Opuntia ficus-indica", family="Cactaceae")),
    )
    pereskia = registry.listing_at("Pereskia aculeata", ON)
    assert pereskia.found and pereskia.appendix is None and "Cactaceae spp." in (pereskia.annotation or "")
    assert registry.listing_at("Opuntia ficus-indica", ON).appendix == "II"


def test_reservations_follow_entry_and_withdrawal(build: Build) -> None:
    registry = build(
        TaxonRecord(
            taxon("Balaenoptera musculus"),
            (change("I", "1975-07-01"),
             change("I", "1986-01-01", change_type=ChangeType.RESERVATION, party="JP"),
             change("I", "1986-01-01", change_type=ChangeType.RESERVATION, party="NO"),
             change("I", "1995-01-01", change_type=ChangeType.RESERVATION_WITHDRAWAL, party="JP")),
        )
    )  # fmt: skip
    assert registry.listing_at("Balaenoptera musculus", day("1990-01-01")).reservations == ("JP", "NO")
    assert registry.listing_at("Balaenoptera musculus", ON).reservations == ("NO",)


def test_undated_entries_apply_at_every_date(build: Build) -> None:
    registry = build(TaxonRecord(taxon("Manis javanica"), (change("I", None),)))
    result = registry.listing_at("Manis javanica", day("1900-01-01"))
    assert (result.appendix, result.effective_at) == ("I", None)


def test_the_last_record_of_a_taxon_wins_and_synonyms_never_hide_accepted_names(build: Build) -> None:
    registry = build(
        TaxonRecord(taxon("Manis javanica", synonyms=("Paramanis javanica",)), (change("II", "1975-07-01"),)),
        TaxonRecord(taxon("Manis javanica"), (change("I", "2017-01-02"),)),
        TaxonRecord(taxon("Manis culionensis", synonyms=("Manis javanica",)), (change("I", "2017-01-02"),)),
        TaxonRecord(taxon("Smutsia gigantea", accepted=False, accepted_name="Manis gigantea")),
        TaxonRecord(taxon("Smutsia temminckii", accepted=False, accepted_name="Manis temminckii")),
        TaxonRecord(taxon("Manis temminckii"), (change("I", "2017-01-02"),)),
    )
    assert registry.listing_at("Manis javanica", day("2000-01-01")).appendix is None
    assert registry.resolve_name("Manis javanica") == "Manis javanica"
    assert registry.resolve_name("Paramanis javanica") is None
    assert registry.resolve_name("Smutsia temminckii") == "Manis temminckii"
    assert registry.resolve_name("Smutsia gigantea") is None
    info = registry.info()
    assert (info.taxa, info.synonyms, info.names, info.listing_changes) == (3, 1, 4, 3)


def test_a_synonym_of_two_taxa_keeps_both_and_is_judged_by_the_strictest(tmp_path: Path) -> None:
    """Acipenser lichtensteinii names an Appendix I and an Appendix II sturgeon: the registry keeps both and
    judges the name by the Appendix I one (fail closed), naming both; the accepted name Acipenser sturio, also
    given as a synonym of the Appendix II one, names only its own taxon."""
    registry, sources = build_from([sturgeon_index(tmp_path)], tmp_path / "registry.sqlite")
    assert sources[0].warnings == []
    info = registry.info()
    assert (info.taxa, info.names, info.synonyms, info.ambiguous_names) == (2, 4, 2, 1)
    result = registry.listing_at("acipenser  LICHTENSTEINII", day("2017-04-21"))
    assert (result.accepted_name, result.matched_name, result.appendix) == (
        "Acipenser sturio",
        "Acipenser lichtensteinii",
        "I",
    )
    assert [str(candidate) for candidate in result.candidates] == [
        "Acipenser sturio (Appendix I)",
        "Acipenser oxyrinchus (Appendix II)",
    ]
    assert result.annotation == "a synonym of 2 taxa; judged as the strictest, Acipenser sturio"
    assert result.to_json()["candidates"] == [
        {"accepted_name": "Acipenser sturio", "appendix": "I"},
        {"accepted_name": "Acipenser oxyrinchus", "appendix": "II"},
    ]
    with_author = registry.listing_at("Acipenser lichtensteinii Bloch & Schneider, 1801", day("2017-04-21"))
    assert (with_author.found, with_author.appendix, len(with_author.candidates)) == (False, "I", 2)
    assert (
        registry.resolve_name("Acipenser lichtensteinii") is None and registry.taxon("Acipenser lichtensteinii") is None
    )
    sturio = registry.listing_at("Acipenser sturio", day("2017-04-21"))
    assert (sturio.accepted_name, sturio.candidates) == ("Acipenser sturio", ())
    assert registry.listing_at("Acipenser oxyrhynchus", day("2017-04-21")).appendix == "II"  # one taxon
    copy = Registry.build(tmp_path / "copy.sqlite", registry.records(), "copy", None)
    assert copy.info().ambiguous_names == 1 and len(copy.listing_at("Acipenser lichtensteinii", ON).candidates) == 2


def test_a_synonym_of_two_taxa_has_the_earliest_first_listing_and_both_listings_by_date(build: Build) -> None:
    registry = build(
        TaxonRecord(taxon("Acipenser sturio", synonyms=("Acipenser lichtensteinii",)), (change("I", "1983-07-29"),)),
        TaxonRecord(
            taxon("Acipenser oxyrinchus", synonyms=("Acipenser lichtensteinii",)), (change("II", "1998-04-01"),)
        ),
    )
    assert registry.first_listed("Acipenser lichtensteinii").on == day("1983-07-29")
    before = registry.listing_at("Acipenser lichtensteinii", day("1980-01-01"))
    assert before.appendix is None and [str(c) for c in before.candidates] == [
        "Acipenser sturio (not listed)",
        "Acipenser oxyrinchus (not listed)",
    ]
    assert registry.listing_at("Acipenser lichtensteinii", day("1990-01-01")).appendix == "I"


def test_records_round_trip(build: Build, tmp_path: Path) -> None:
    original = build(
        TaxonRecord(
            taxon("Loxodonta africana", synonyms=("Loxodonta cyclotis",), genus="Loxodonta"),
            (change("I", "2017-01-02", excluded_countries=("BW", "NA"), annotation="text", annotation_symbol="#2"),
             change("II", "2017-01-02", included_countries=("BW", "NA"), hash_annotation="hash", listed_under="x"),
             change("II", "2019-11-26", unread_populations=True),
             change("I", "1990-01-18", change_type=ChangeType.RESERVATION, party="MW")),
        )
    )  # fmt: skip
    copy = Registry.build(tmp_path / "copy.sqlite", original.records(), "copy", None)
    assert list(copy.records()) == list(original.records())


def test_building_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "registry.sqlite"
    Registry.build(target, [TaxonRecord(taxon("Manis javanica"), (change("I", "2017-01-02"),))], "first", None)

    def failing() -> Iterator[TaxonRecord]:
        yield TaxonRecord(taxon("Panthera tigris"), (change("I", "1975-07-01"),))
        raise RuntimeError("source broke half-way")

    with pytest.raises(RuntimeError):
        Registry.build(target, failing(), "second", None)
    assert os.listdir(tmp_path) == ["registry.sqlite"]
    with Registry.open(target) as registry:
        assert registry.info().source == "first"
        assert registry.resolve_name("Panthera tigris") is None


def test_opening_a_missing_or_foreign_file_is_a_one_line_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no species registry"):
        Registry.open(tmp_path / "missing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    with pytest.raises(InputError, match="not a species registry"):
        Registry.open(junk)


def test_a_registry_of_another_schema_version_is_refused(build: Build) -> None:
    path = build(TaxonRecord(taxon("Manis javanica"))).path
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(ConfigurationError, match="import it again"):
        Registry.open(path)


def test_the_default_registry_is_compiled_on_first_use_and_recompiled_when_the_data_change(
    cites_home: Path,
) -> None:
    path = default_registry_path()
    assert path == cites_home / "registry.sqlite" and not path.exists()
    with load_registry() as registry:
        assert registry.info().origin == "embedded"
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = 'old' WHERE key = 'data_version'")
    with load_registry() as registry:
        assert registry.info().data_version != "old"
        assert registry.listing_at("Manis javanica", ON).appendix == "I"


def test_an_imported_registry_is_not_replaced_by_the_embedded_data(cites_home: Path) -> None:
    path = default_registry_path()
    Registry.build(path, [TaxonRecord(taxon("Manis javanica"), (change("II", None),))], "mine", None).close()
    with load_registry() as registry:
        assert registry.info().source == "mine"
        assert registry.listing_at("Manis javanica", ON).appendix == "II"


def test_a_synonym_of_two_taxa_in_one_appendix_is_judged_by_each_annotation(build: Build) -> None:
    """Two Appendix II taxa share a synonym, and only the second's annotation sets a zero quota or confines the
    listing to live animals: a line naming the synonym is judged by both annotations (fail closed), not by the
    first taxon's alone."""
    from permits.model import Permit
    from permits.rules import RuleContext, evaluate
    from tests.conftest import example_mapping

    zero_quota = (
        "A zero annual export quota has been established for specimens removed from the wild and traded for "
        "commercial purposes."
    )
    live_only = (
        "For the exclusive purpose of allowing international trade in live animals to appropriate and acceptable "
        "destinations. All other specimens shall be deemed to be specimens of species included in Appendix I."
    )
    for annotation, rule in ((zero_quota, "ZERO_QUOTA"), (live_only, "APPENDIX_MISMATCH")):
        registry = build(
            TaxonRecord(taxon("Crocodylus alpha", synonyms=("Crocodylus ambiguus",)), (change("II", "1983-07-29"),)),
            TaxonRecord(
                taxon("Crocodylus beta", synonyms=("Crocodylus ambiguus",)),
                (change("II", "1983-07-29", annotation=annotation),),
            ),
        )
        data = example_mapping("reexport-certificate.yaml")
        skins = {"scientific_name": "Crocodylus ambiguus", "appendix": "II", "term": "SKI", "source": "W",
                 "unit": "NUM", "quantity": 5}  # fmt: skip
        data.update(type="export", purpose="T", items=[skins], exporter={"name": "Farm", "country": "EG"},
                    authority={"name": "MA", "country": "EG"})  # fmt: skip
        found = {finding.rule_id for finding in evaluate(Permit.from_mapping(data), RuleContext(registry, ON))}
        assert {rule, "AMBIGUOUS_SYNONYM"} <= found
        registry.close()
