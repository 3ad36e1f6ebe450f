"""Every CITES rule with a permit that passes and one that breaks it, on the embedded registry; and where rules
run: ``cites issue`` refuses errors naming rule and article, ``cites verify`` shows findings."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from permits.envelope import seal
from permits.model import Permit
from permits.registry.default import load_registry
from permits.registry.store import Registry
from permits.rules import RuleContext, evaluate
from permits.rules.catalog import RULES
from permits.rules.confinement import deemed_appendix_i
from permits.rules.interface import ListingSource
from permits.rules.zero_quota import zero_quota_clause
from tests.conftest import EXAMPLE_PERMITS, EXAMPLES, REPO_ROOT, CliResult, MakeAuthority, example_mapping
from tests.registry.conftest import FIXTURES as REGISTRY_FIXTURES
from tests.registry.conftest import build_from, split_listings_index, sturgeon_index

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    import os

    previous = os.environ.get("CITES_HOME")
    os.environ["CITES_HOME"] = str(tmp_path_factory.mktemp("registry-home"))
    try:
        yield load_registry()
    finally:
        if previous is not None:
            os.environ["CITES_HOME"] = previous


def zoo(**changes: Any) -> dict[str, Any]:
    data = example_mapping("zoo-transfer-app1.yaml")
    data["issued"] = "2026-05-01"
    data.update(changes)
    return data


def zoo_line(**changes: Any) -> dict[str, Any]:
    data = zoo()
    data["items"] = [{**data["items"][0], **changes}]
    return data


def timber_line(**changes: Any) -> dict[str, Any]:
    data = example_mapping("timber-export-app2.yaml")
    data["issued"] = "2026-05-01"
    data["items"] = [{**data["items"][0], **changes}]  # type: ignore[index]
    return data


def reexport(**changes: Any) -> dict[str, Any]:
    data = example_mapping("reexport-certificate.yaml")
    data["issued"] = "2026-05-01"
    data.update(changes)
    return data


def pre_convention(acquisition: str | None = "1970-05-01") -> dict[str, Any]:
    """A pre-Convention certificate for an ivory carving acquired in 1970 (Kenya first listed the African
    elephant in Appendix III in 1976), for sale: Arts. III-V do not apply to it."""
    carving = {"scientific_name": "Loxodonta africana", "appendix": "I", "term": "IVC", "source": "O",
               "second_source": "W", "unit": "NUM", "quantity": 1, "acquisition": acquisition}  # fmt: skip
    return _clean(zoo(type="other", purpose="T", items=[carving], import_permit=None))


def pangolins(appendix: str) -> dict[str, Any]:
    """Scales of "Manis spp.": the genus name hides which species, and all eight are Appendix I since 2017."""
    return zoo_line(scientific_name="Manis spp.", appendix=appendix, term="SCA", unit="KIL", quantity=5, marks=None)


def fired(registry: Registry, data: dict[str, Any], today: dt.date = TODAY) -> set[str]:
    permit = Permit.from_mapping(data)
    return {finding.rule_id for finding in evaluate(permit, RuleContext(registry, today))}


# rule id -> (a permit that passes it, a permit that breaks it)
CASES: dict[str, tuple[Callable[[], dict[str, Any]], Callable[[], dict[str, Any]]]] = {
    "VALIDITY_PERIOD": (zoo, lambda: zoo(valid_until="2026-12-01")),
    "SAME_COUNTRY": (zoo, lambda: zoo(importer={"name": "Sheldrick Trust", "country": "KE"})),
    "ISSUING_PARTY": (zoo, lambda: zoo(exporter={"name": "Kampala Zoo", "country": "UG"})),
    "UNKNOWN_TAXON": (zoo, lambda: zoo_line(scientific_name="Pan troglodytus")),
    "UNLISTED_SPECIES": (zoo, lambda: zoo_line(scientific_name="Melopsittacus undulatus", appendix="II")),
    "APPENDIX_MISMATCH": (zoo, lambda: zoo_line(appendix="II")),
    "PRE_CONVENTION_DATE": (pre_convention, lambda: pre_convention("1991-03-01")),
    "CERTIFICATE_BASIS": (pre_convention, lambda: zoo_line(source="W") | {"type": "other"}),
    "HIGHER_TAXON_NAME": (lambda: pangolins("I"), lambda: pangolins("II")),
    "ZERO_QUOTA": (
        lambda: south_african_export("Panthera leo", "LIV", "T"),
        lambda: south_african_export("Panthera leo", "BON", "T", unit="KIL"),  # wild lion bones: zero quota
    ),
    "SOURCE_R_APPENDIX": (zoo, lambda: zoo_line(source="R")),
    "SOURCE_KINGDOM": (timber_line, lambda: timber_line(source="C")),
    "SOURCE_COMPANION": (
        lambda: zoo_line(source="I", second_source="W"),
        lambda: zoo_line(source="I"),
    ),
    "SOURCE_U_JUSTIFICATION": (
        lambda: zoo_line(source="U", source_justification="Seized animal of unknown origin, court order 12/2026"),
        lambda: zoo_line(source="U"),
    ),
    "APPENDIX_I_COMMERCIAL": (
        lambda: zoo(purpose="T", items=[{**zoo()["items"][0], "source": "D"}]),
        lambda: zoo(purpose="T", items=[{**zoo()["items"][0], "source": "W"}]),
    ),
    "APPENDIX_I_IMPORT_PERMIT": (zoo, lambda: zoo(import_permit=None)),
    "APPENDIX_III_ORIGIN": (
        lambda: timber_line(scientific_name="Mellivora capensis", appendix="III", term="SKI", unit="NUM", quantity=1,
                            **{"quota": None}) | {"exporter": {"name": "X", "country": "BW"},
                                                   "authority": {"name": "DWNP", "country": "BW"}},
        lambda: timber_line(scientific_name="Mellivora capensis", appendix="III", term="SKI", unit="NUM", quantity=1),
    ),
    "REEXPORT_ORIGIN": (reexport, lambda: reexport(items=[{**reexport()["items"][0], "origin": None}])),
    "EXPORT_ORIGIN": (zoo, lambda: zoo_line(origin={"country": "ZA", "number": "ZA/1", "date": "2026-01-05"})),
    "QUOTA_EXCEEDED": (timber_line, lambda: timber_line(quota={"exported_to_date": 5001, "annual_quota": 5000})),
    "SOURCE_D_APPENDIX": (lambda: zoo_line(source="D"), lambda: timber_line(source="D")),
    "SOURCE_D_OPERATION": (lambda: zoo_line(source="D", acquisition="A-KE-512"), lambda: zoo_line(source="D")),
    "DUPLICATE_MARK": (zoo, lambda: zoo_line(marks=[{"kind": "microchip", "id": "900118000123456"},
                                                    {"kind": "microchip", "id": "900 118 000 123 456"}])),
}  # fmt: skip


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop the None values the cases use to remove a field."""
    data = {key: value for key, value in data.items() if value is not None}
    data["items"] = [{k: v for k, v in line.items() if v is not None} for line in data["items"]]
    return data


def test_every_rule_has_a_case() -> None:
    """Except the rules with a test of their own: the embedded registry has no synonym of several taxa."""
    assert {rule.id for rule in RULES} - {"LISTING_CHANGED", "AMBIGUOUS_SYNONYM"} == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_passes_and_fires(registry: Registry, rule_id: str) -> None:
    passing, failing = CASES[rule_id]
    assert rule_id not in fired(registry, _clean(passing()))
    assert rule_id in fired(registry, _clean(failing()))


def test_a_mark_is_compared_as_the_audit_compares_it(registry: Registry) -> None:
    """Box 9 marks in one permit are compared by ``mark_key``, as the register compares stamps and the audit
    marks: a microchip with a leading zero, or an invisible character inside, is the same microchip."""
    for written in ("0900118000123456", "900118000\u034f123456", "900-118-000-123-456"):
        marks = [{"kind": "microchip", "id": "900118000123456"}, {"kind": "microchip", "id": written}]
        assert "DUPLICATE_MARK" in fired(registry, zoo_line(marks=marks)), written
    marks = [{"kind": "microchip", "id": "900118000123456"}, {"kind": "microchip", "id": "9001180001234560"}]
    assert "DUPLICATE_MARK" not in fired(registry, zoo_line(marks=marks))  # a trailing zero is a digit


def test_rules_found_by_the_domain_review(registry: Registry) -> None:
    """Illegal permits that every rule let through before: each now breaks one."""
    ivory = {"scientific_name": "Loxodonta africana", "appendix": "II", "term": "TUS", "source": "W", "unit": "NUM",
             "quantity": 40, "origin": {"country": "ZA", "number": "ZA/1", "date": "2026-01-05"}}  # fmt: skip
    kenyan_ivory = zoo(purpose="T", items=[ivory])  # South Africa's population is Appendix II; Kenya's is I
    assert {"EXPORT_ORIGIN", "APPENDIX_MISMATCH"} <= fired(registry, kenyan_ivory)
    honey_badger = timber_line(scientific_name="Mellivora capensis", appendix="III", term="SKI", unit="NUM",
                               quantity=1, quota=None, marks=None)  # fmt: skip
    assert "APPENDIX_III_ORIGIN" in fired(registry, _clean(honey_badger | {"issued": "2000-01-01",
                                                                             "valid_until": "2000-06-01"}))  # fmt: skip
    line = reexport()["items"][0]
    for changed in (
        {"origin": {**line["origin"], "date": "2026-06-01"}},
        {"last_reexport": {**line["last_reexport"], "country": "IT"}},
    ):
        assert "REEXPORT_ORIGIN" in fired(registry, reexport(items=[{**line, **changed}]))
    chimps = {**zoo()["items"][0], "origin": {"country": "KE", "number": "KE/1", "date": "2026-01-05"}}
    assert "APPENDIX_I_IMPORT_PERMIT" in fired(
        registry, reexport(items=[chimps], import_permit=None, exporter=zoo()["exporter"] | {"country": "IT"})
    )
    assert "QUOTA_EXCEEDED" in fired(registry, timber_line(quota={"exported_to_date": 1, "annual_quota": 5000}))
    own = zoo()["number"]
    for placeholder in ("none", "N/A", "X", own, own.lower(), own.replace("/0001", "/1")):  # own number, re-typed
        assert "APPENDIX_I_IMPORT_PERMIT" in fired(registry, zoo(import_permit=placeholder))
    line = reexport()["items"][0]
    earlier_12a = {**line, "last_reexport": {**line["last_reexport"], "date": "2001-01-01"}}
    assert "REEXPORT_ORIGIN" in fired(registry, reexport(items=[earlier_12a]))
    chimps_and_a_fish = zoo(type="other", authority={"name": "BfN", "country": "DE"})
    chimps_and_a_fish["items"].append({**chimps_and_a_fish["items"][0], "source": "X", "marks": []})
    assert "ISSUING_PARTY" in fired(registry, _clean(chimps_and_a_fish))  # one X line does not move the issuer
    third_country = zoo(type="other", authority={"name": "USFWS", "country": "US"})  # a certificate for KE's trade
    assert "ISSUING_PARTY" in fired(registry, third_country)
    assert "ISSUING_PARTY" not in fired(registry, zoo(type="other"))


def south_african_export(name: str, term: str, purpose: str, appendix: str = "II", unit: str = "NUM") -> dict[str, Any]:
    """An export from South Africa, whose white rhinos and elephants are in Appendix II for some specimens only."""
    line = {"scientific_name": name, "appendix": appendix, "term": term, "source": "W", "unit": unit, "quantity": 2}
    exporter = {"name": "Kruger Wildlife Exports", "country": "ZA"}
    authority = {"name": "DFFE", "country": "ZA"}
    return zoo(purpose=purpose, exporter=exporter, authority=authority, items=[line], import_permit=None)


@pytest.mark.parametrize(
    ("name", "term", "purpose", "unit"),
    [
        ("Ceratotherium simum simum", "HOR", "T", "NUM"),  # rhino horn: only live animals and trophies are App II
        ("Ceratotherium simum", "HOR", "P", "NUM"),  # the same population named by its species
        ("Ceratotherium simum simum", "MED", "T", "KIL"),
        ("Loxodonta africana", "TUS", "T", "NUM"),  # raw ivory: the one-off sales are over
        ("Loxodonta africana", "IVC", "T", "NUM"),  # carvings only for non-commercial purposes
        ("Loxodonta africana", "IVC", "P", "NUM"),  # carvings only from Zimbabwe (this export is South African)
        ("Loxodonta africana", "IJW", "P", "NUM"),  # ekipas only from Namibia
        ("Loxodonta africana", "TRO", "T", "NUM"),  # trophies only for non-commercial purposes
        ("Loxodonta africana", "MEA", "T", "KIL"),
    ],
)
def test_specimens_a_split_listing_deems_appendix_i(registry: Registry, name: str, term: str, purpose: str,
                                                    unit: str) -> None:  # fmt: skip
    declared_ii = Permit.from_mapping(south_african_export(name, term, purpose, unit=unit))
    findings = [f for f in evaluate(declared_ii, RuleContext(registry, TODAY)) if f.rule_id == "APPENDIX_MISMATCH"]
    assert findings and "deemed Appendix I" in findings[0].message and "but was in Appendix I" in findings[0].message
    declared_i = south_african_export(name, term, purpose, appendix="I", unit=unit)
    assert "APPENDIX_MISMATCH" not in fired(registry, declared_i)
    if purpose == "T":
        assert "APPENDIX_I_COMMERCIAL" in fired(registry, declared_i)


def test_an_unknown_species_of_a_listed_genus_is_judged_by_the_genus_listing(registry: Registry) -> None:
    """A made-up or missing rosewood name is still Dalbergia spp. (Appendix II): declaring it Appendix III or
    leaving the registry to call it unlisted does not escape the listing."""
    assert {"UNKNOWN_TAXON", "APPENDIX_MISMATCH"} <= fired(registry, timber_line(scientific_name="Dalbergia inventa",
                                                                                 appendix="III"))  # fmt: skip
    assert "APPENDIX_MISMATCH" not in fired(registry, timber_line(scientific_name="Dalbergia inventa", appendix="II"))


def test_a_name_in_look_alike_letters_is_the_latin_name(registry: Registry) -> None:
    """Scientific names are written in Latin letters: one typed with Cyrillic look-alikes (to slip past the
    registry as an unknown name) is judged as the taxon it imitates, and still warned about as written."""
    disguised = "Ceratotherium s\u0456mum s\u0456mum"  # Cyrillic i
    assert "read as Ceratotherium simum simum" in (registry.listing_at(disguised, TODAY, "ZA").annotation or "")
    horn = fired(registry, south_african_export(disguised, "HOR", "T"))
    assert {"APPENDIX_MISMATCH", "UNKNOWN_TAXON"} <= horn


def test_a_synonym_of_an_appendix_i_and_an_appendix_ii_taxon_is_judged_as_the_appendix_i_one(
    tmp_path: Path,
) -> None:
    """An imported Checklist Index gives Acipenser lichtensteinii as a synonym of an Appendix I and of an Appendix
    II sturgeon: a line naming it cannot pass as Appendix II (fail closed), and the warning names both."""
    index, _ = build_from([sturgeon_index(tmp_path)], tmp_path / "index.sqlite")

    def findings(name: str, appendix: str) -> dict[str, str]:
        caviar = {"scientific_name": name, "appendix": appendix, "term": "CAV", "source": "W", "unit": "KIL",
                  "quantity": 2}  # fmt: skip
        permit = Permit.from_mapping(zoo(purpose="P", items=[caviar]))
        return {finding.rule_id: finding.message for finding in evaluate(permit, RuleContext(index, TODAY))}

    declared_ii = findings("Acipenser lichtensteinii", "II")
    assert "but was in Appendix I " in declared_ii["APPENDIX_MISMATCH"]
    assert declared_ii["AMBIGUOUS_SYNONYM"] == (
        "Acipenser lichtensteinii is a synonym of Acipenser sturio (Appendix I) and Acipenser oxyrinchus "
        "(Appendix II); judged as the strictest"
    )
    declared_i = findings("Acipenser lichtensteinii", "I")
    assert "APPENDIX_MISMATCH" not in declared_i and "AMBIGUOUS_SYNONYM" in declared_i
    assert findings("Acipenser sturio", "I").keys().isdisjoint({"APPENDIX_MISMATCH", "AMBIGUOUS_SYNONYM"})


def test_a_split_listing_given_in_words_is_judged_by_the_origin(tmp_path: Path) -> None:
    """With an imported Checklist Index whose lion listing says only "Appendix I: Population of India", an Appendix
    II lion trophy from Tanzania is no APPENDIX_MISMATCH (it was a false refusal), one from India is; a population
    given as a region (the caracal's "population of Asia") holds every origin to the stricter Appendix."""
    index, _ = build_from([split_listings_index(tmp_path)], tmp_path / "index.sqlite")

    def mismatch(name: str, country: str, appendix: str) -> bool:
        trophy = {"scientific_name": name, "appendix": appendix, "term": "TRO", "source": "W", "unit": "NUM",
                  "quantity": 1}  # fmt: skip
        party = {"name": "Wildlife Authority", "country": country}
        permit = zoo(purpose="H", exporter=party, authority=party, items=[trophy], import_permit="KE-IMP-2026/7")
        return "APPENDIX_MISMATCH" in fired(index, permit)

    assert not mismatch("Panthera leo", "TZ", "II") and mismatch("Panthera leo", "TZ", "I")
    assert mismatch("Panthera leo", "IN", "II") and not mismatch("Panthera leo", "IN", "I")
    assert mismatch("Caracal caracal", "TZ", "II") and not mismatch("Caracal caracal", "TZ", "I")


@pytest.mark.parametrize(
    ("name", "term", "purpose"),
    [
        ("Ceratotherium simum simum", "LIV", "Z"),
        ("Ceratotherium simum simum", "TRO", "H"),
        ("Ceratotherium simum", "TRO", "H"),
        ("Loxodonta africana", "TRO", "H"),
        ("Loxodonta africana", "LIV", "Z"),
        ("Loxodonta africana", "SKI", "T"),  # hides
        ("Loxodonta africana", "LPS", "T"),  # leather goods
        ("Loxodonta africana", "HAI", "T"),
        ("Ceratotherium simum simum", "HOR", "H"),  # a trophy's horns, for purpose H
        ("Loxodonta africana", "TUS", "H"),  # a trophy's tusks
    ],
)
def test_specimens_a_split_listing_keeps_in_appendix_ii(registry: Registry, name: str, term: str, purpose: str) -> None:
    assert "APPENDIX_MISMATCH" not in fired(registry, south_african_export(name, term, purpose))


def test_pre_convention_certificates(registry: Registry, tmp_path: Path) -> None:
    """Art. VII.2: an Appendix I pre-Convention specimen may be sold on a certificate, once its date of
    acquisition is shown to precede the species' first listing; not on an export permit, not as a second
    source, and not without that date."""
    assert fired(registry, pre_convention()) == fired(registry, pre_convention("1975")) == set()
    assert "APPENDIX_I_COMMERCIAL" in fired(registry, pre_convention() | {"type": "export"})
    wild_first = pre_convention()
    wild_first["items"][0].update(source="W", second_source="O")
    assert "APPENDIX_I_COMMERCIAL" in fired(registry, wild_first)
    for acquisition in (None, "about 1970", "2027-01-01", "1970-W01-1", "1970-02-30"):
        assert "PRE_CONVENTION_DATE" in fired(registry, _clean(pre_convention(acquisition)))

    def messages(data: dict[str, Any], source: ListingSource = registry) -> list[str]:
        findings = evaluate(Permit.from_mapping(data), RuleContext(source, TODAY))
        return [finding.message for finding in findings if finding.rule_id == "PRE_CONVENTION_DATE"]

    first_listed = "but Loxodonta africana was first listed on 1976-02-26: not a pre-Convention specimen"
    assert messages(pre_convention("1977-03-01")) == [f"acquired by 1977-03-01, {first_listed}"]
    assert messages(pre_convention("1976")) == [f"acquired by 1976-12-31, {first_listed}"]
    misspelt = pre_convention()
    misspelt["items"][0]["scientific_name"] = "Loxodonta africanus"
    assert "is not in the registry" in messages(misspelt)[0]
    snapshot, _ = build_from([REGISTRY_FIXTURES / "index_small.csv"], tmp_path / "index.sqlite")  # undated listings
    assert "does not date the first listing of Loxodonta africana" in messages(pre_convention(), snapshot)[0]


RHINO_ES = (
    "Únicamente las poblaciones de SZ y ZA: Con el exclusivo propósito de permitir el comercio internacional de "
    "animales vivos a destinatarios apropiados y aceptables y trofeos de caza. Todos los demás especímenes deben "
    "considerarse como especímenes de especies incluidas en el Apéndice I y su comercio deberá reglamentarse en "
    "consecuencia."
)
ELEPHANT_FR = (
    "Populations du Botswana, de la Namibie et du Zimbabwe: A seule fin de permettre l'exportation: 1) de trophées "
    "de chasse à des fins non commerciales; 2) d'animaux vivants vers des destinataires appropriés et acceptables; "
    "3) de peaux (Zimbabwe seulement); 4) d'articles en cuir et de sculptures en ivoire à des fins non "
    "commerciales (Zimbabwe seulement). Tous les autres spécimens sont considérés comme des spécimens d'espèces"
    "inscrites à l'Annexe I et leur commerce est réglementé en conséquence."
)
ZERO_QUOTA = (
    "A zero annual export quota has been established. All specimens shall be deemed to be specimens of species "
    "included in Appendix I and the trade in them shall be regulated accordingly."
)


@pytest.mark.parametrize(
    ("annotation", "origin", "deemed", "kept"),
    [
        (RHINO_ES, "ZA", [("HOR", "T"), ("MED", "P")], [("LIV", "Z"), ("TRO", "P"), ("SKU", "H")]),
        (ELEPHANT_FR, "ZW", [("TUS", "T"), ("IVC", "T"), ("LPS", "T")], [("SKI", "T"), ("LPS", "P"), ("IVC", "P")]),
        (ELEPHANT_FR, "BW", [("SKI", "T"), ("LPS", "P"), ("IVC", "P")], [("LIV", "Z"), ("TRO", "P")]),
        (ZERO_QUOTA, "BO", [("SKI", "T"), ("LIV", "Z"), ("TRO", "H")], []),
        ("Populations of BW, NA, ZA, ZW", "BW", [], [("TUS", "T")]),  # a short text names no confinement
    ],
)
def test_confining_annotations_in_the_three_languages(
    annotation: str, origin: str, deemed: list[tuple[str, str]], kept: list[tuple[str, str]]
) -> None:
    assert all(deemed_appendix_i("II", annotation, term, purpose, origin) for term, purpose in deemed)
    assert not any(deemed_appendix_i("II", annotation, term, purpose, origin) for term, purpose in kept)
    assert not any(deemed_appendix_i("I", annotation, term, purpose, origin) for term, purpose in deemed)


ELEPHANT_2019 = (  # Species+ (English), as the API gives it: items run together after semicolons
    "The populations of Botswana, Namibia, South Africa and Zimbabwe are listed in Appendix II for the exclusive "
    "purpose of allowing:a) trade in hunting trophies for non-commercial purposes;b) trade in live animals to "
    "appropriate and acceptable destinations, as defined in Resolution Conf. 11.20 (Rev. CoP18), for Botswana and "
    "Zimbabwe and for in situ conservation programmes for Namibia and South Africa;c) trade in hides;d) trade in "
    "hair;e) trade in leather goods for commercial or non-commercial purposes for Botswana, Namibia and South "
    "Africa and for non-commercial purposes for Zimbabwe;f) trade in individually marked and certified ekipas "
    "incorporated in finished jewellery for non-commercial purposes for Namibia and ivory carvings for "
    "non-commercial purposes for Zimbabwe;g) trade in registered raw ivory (for Botswana, Namibia, South Africa and "
    "Zimbabwe, whole tusks and pieces) subject to the following: i) only registered government-owned stocks. All "
    "other specimens shall be deemed to be specimens of species included in Appendix I."
)
ELEPHANT_1997_FR = (
    "Populations du Botswana, de la Namibie et du Zimbabwe: A seule fin de permettre l'exportation: 1) de trophées "
    "de chasse à des fins non commerciales; 2) d'animaux vivants vers des destinataires appropriés et acceptables "
    "(Namibie: à des fins non commerciales); 3) de peaux (Zimbabwe); 4) d'articles en cuir et de sculptures en "
    "ivoire à des fins non commerciales (Zimbabwe). Tous les autres spécimens sont considérés comme des spécimens "
    "d'espèces inscrites à l'Annexe I et leur commerce est réglementé en conséquence."
)


@pytest.mark.parametrize(
    ("annotation", "origin", "deemed", "kept"),
    [
        (ELEPHANT_2019, "NA", [("IVC", "P"), ("IJW", "T")], [("IJW", "P"), ("LPS", "T"), ("LIV", "Z"), ("HAI", "T")]),
        (ELEPHANT_2019, "ZW", [("IJW", "P"), ("LPS", "T"), ("IVC", "T")], [("IVC", "P"), ("LPS", "P"), ("SKI", "T")]),
        (ELEPHANT_2019, "BW", [("IJW", "P"), ("IVC", "P"), ("TUS", "T")], [("LPS", "T"), ("LIV", "T"), ("SKI", "T")]),
        (ELEPHANT_1997_FR, "NA", [("LIV", "T"), ("SKI", "T")], [("LIV", "Z"), ("TRO", "P")]),
        (ELEPHANT_1997_FR, "BW", [("SKI", "T"), ("LPS", "P")], [("LIV", "T"), ("LIV", "Z")]),
        (ELEPHANT_1997_FR, "ZW", [("LPS", "T"), ("IVC", "T")], [("SKI", "T"), ("LPS", "P"), ("IVC", "P")]),
    ],
)
def test_an_allowance_given_to_some_parties_only_allows_their_populations_only(
    annotation: str, origin: str, deemed: list[tuple[str, str]], kept: list[tuple[str, str]]
) -> None:
    """Ekipas for Namibia and ivory carvings for Zimbabwe are not allowed from Botswana; leather goods for
    commercial purposes not from Zimbabwe; live animals for commercial purposes not from Namibia in 1997: those
    specimens are deemed Appendix I, and the message names whom each allowance was given to."""
    for term, purpose in deemed:
        reason = deemed_appendix_i("II", annotation, term, purpose, origin)
        assert reason and f"from {origin})" in reason, (term, purpose)
    assert not [item for item in kept if deemed_appendix_i("II", annotation, *item, origin)]
    assert "ekipas (IJW, not for purpose T) from NA" in (deemed_appendix_i("II", ELEPHANT_2019, "IJW", "P", "BW") or "")


@pytest.mark.parametrize(
    ("name", "origin", "term", "bound"),
    [
        ("Saiga tatarica", "KZ", "HOR", True),
        ("Crocodylus niloticus", "EG", "SKI", True),  # "Egypt (zero quota for wild specimens ...)"
        ("Crocodylus niloticus", "ZA", "SKI", False),
        ("Centrochelys sulcata", "SN", "LIV", True),  # named in the Testudinidae annotation
        ("Centrochelys sulcata (Miller, 1779)", "SN", "LIV", True),  # with author text: read as the name
        ("Testudo horsfieldii", "UZ", "LIV", False),  # another tortoise of that family listing
        ("Crocodylus porosus", "PH", "SKI", True),  # "the Philippines (Palawan population, zero quota ...)"
        ("Crocodylus porosus", "MY", "SKI", False),  # "zero quota for the other States" says neither wild nor T
        ("Panthera leo", "ZA", "SKU", True),
    ],
)
def test_zero_export_quotas_of_the_annotations(registry: Registry, name: str, origin: str, term: str,
                                               bound: bool) -> None:  # fmt: skip
    line = {"scientific_name": name, "appendix": "II", "term": term, "source": "W", "unit": "NUM", "quantity": 3}
    party = {"name": "Exporter", "country": origin}
    export = zoo(purpose="T", exporter=party, authority=party, items=[line])
    assert ("ZERO_QUOTA" in fired(registry, export)) is bound
    captive = {**export, "items": [{**export["items"][0], "source": "C"}]}
    assert "ZERO_QUOTA" not in fired(registry, captive)


def test_a_zero_quota_binds_the_country_named_just_before_it() -> None:
    morelet = (
        "Only the population of Belize, which is included in Appendix II with a zero quota for wild specimens "
        "traded for commercial purposes, and the population of Mexico, which is included in Appendix II."
    )
    assert zero_quota_clause(morelet, ("Crocodylus moreletii",), "BZ", "SKI")
    assert zero_quota_clause(morelet, ("Crocodylus moreletii",), "MX", "SKI") is None


def test_examples_meet_every_rule(registry: Registry) -> None:
    for name in EXAMPLE_PERMITS:
        assert fired(registry, example_mapping(name)) == set(), name


def test_listing_changed_since_issue(registry: Registry) -> None:
    pangolin = zoo_line(scientific_name="Manis javanica", appendix="II", source="W", term="SCA", unit="KIL", quantity=5)
    pangolin.update(issued="2016-10-03", valid_until="2017-03-31", purpose="S", import_permit=None)
    before = fired(registry, pangolin, today=dt.date(2016, 12, 1))
    assert "LISTING_CHANGED" not in before and "APPENDIX_MISMATCH" not in before
    permit = Permit.from_mapping(pangolin)
    findings = evaluate(permit, RuleContext(registry, dt.date(2017, 1, 15)))
    changed = [finding for finding in findings if finding.rule_id == "LISTING_CHANGED"]
    assert changed and "was Appendix II on the issue date 2016-10-03 but is Appendix I today" in changed[0].message
    assert "APPENDIX_MISMATCH" in fired(registry, {**pangolin, "issued": "2017-01-10"}, today=dt.date(2017, 2, 1))


Cli = Callable[..., CliResult]


def _key(cli: Cli, tmp_path: Path, party: str) -> Path:
    assert cli("keys", "new", "--party", party, "--authority", f"MA {party}", "--out", tmp_path / "keys").exit_code == 0
    certificate = next((tmp_path / "keys").glob(f"{party}-*.cert.pem"))
    assert cli("trust", "add", certificate, "--party", party).exit_code == 0
    return next((tmp_path / "keys").glob(f"{party}-*.key.pem"))


def test_issue_refuses_appendix_i_commercial_wild_export(cli: Cli, tmp_path: Path) -> None:
    key = _key(cli, tmp_path, "KE")
    description = tmp_path / "commercial.json"
    data = zoo(purpose="T", items=[{**zoo()["items"][0], "source": "W"}])
    del data["issued"]  # today: a permit is never issued retrospectively
    description.write_text(json.dumps(data))
    result = cli("issue", description, "--key", key, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "APPENDIX_I_COMMERCIAL" in result.stderr and "Art. III.3(c)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_verify_shows_a_listing_change_as_a_warning(cli: Cli, make_authority: MakeAuthority) -> None:
    malaysia = make_authority("MY", "PERHILITAN").key  # signed in 2016 (cites issue signs only today's permits)
    data = zoo_line(scientific_name="Manis javanica", appendix="II", source="W", term="SCA", unit="KIL", quantity=5)
    data.update(
        issued="2016-10-03",
        valid_until="2017-03-31",
        purpose="S",
        import_permit=None,
        number="MY/2016/0042",
        exporter={"name": "Universiti Malaya", "country": "MY"},
        authority={"name": "PERHILITAN", "country": "MY"},
    )
    text = seal(Permit.from_mapping(_clean(data)), malaysia, now=dt.datetime(2016, 10, 3, 9, tzinfo=dt.UTC))
    result = cli("verify", "--json", "--at", "2017-01-15", "--payload", text)
    verdict = json.loads(result.stdout)
    assert result.exit_code == 0, verdict["reason"]
    assert verdict["valid"] is True
    warnings = [check for check in verdict["checks"] if check["id"] == "LISTING_CHANGED"]
    assert warnings and warnings[0]["severity"] == "warning"
    assert "Appendix I today (2017-01-15)" in warnings[0]["message"]
    human = cli("verify", "--at", "2017-01-15", "--payload", text)
    assert "warning" in human.stdout and "LISTING_CHANGED" in human.stdout


def test_examples_issue_without_warnings(cli: Cli, tmp_path: Path) -> None:
    for party, name in (
        ("KE", "zoo-transfer-app1.yaml"),
        ("CM", "timber-export-app2.yaml"),
        ("KE", "pre-convention-certificate.yaml"),
    ):
        key = _key(cli, tmp_path / party, party)
        result = cli("issue", EXAMPLES / name, "--key", key, "--out", tmp_path / "out")
        assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr


def test_the_readme_rule_table_lists_every_rule_with_its_severity() -> None:
    """README's rule table is the users' list of the rules: every rule of the catalog with its severity, and no
    other (a rule added, renamed or made a warning shows there too)."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Species registry and CITES rules") : readme.index("## Usage ledger")]
    rows = re.findall(r"^\| `([A-Z_]+)` \| (error|warning) \|", section, re.MULTILINE)
    assert sorted(rows) == sorted((rule.id, str(rule.severity)) for rule in RULES)
