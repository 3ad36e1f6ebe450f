"""Fixtures for the registry tests: the compiled embedded registry, registries built from fixture files or the
real exports in ../shared (skipped with a reason when that folder is absent), and a small record builder.

Every test runs with its own empty CITES_HOME (the autouse fixture in tests/conftest.py), so nothing here
touches the real state directory.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from permits.registry import ListingChange, Registry, Taxon, TaxonRecord
from permits.registry.default import compile_embedded
from permits.registry.sources import RegistrySource, open_sources

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT / ".." / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INDEX_2017 = ("cites-checklist-index-2017", "Index_of_CITES_Species_2017-04-21 17-27.csv.gz")
REPTILES_CSV = ("omorton-cites-quotas", "CITES_Listings_Rept_07-23.csv")
API_FIXTURES = ("rcites-speciesplus-api", "fixtures")
SAPI_HISTORY = ("unepwcmc-sapi", "legacy-import-2013", "DERIVED_cites_legislation_1975-2013_with_names.csv")


def shared_path(*parts: str) -> Path:
    """A file of the shared real-data folder next to the repository; skips the test when it is absent."""
    path = SHARED.joinpath("data", *parts)
    if not path.exists():
        pytest.skip(f"needs the shared data folder next to the repository ({path} is missing)")
    return path


STURGEON_INDEX = (
    "TaxonId,Kingdom,Phylum,Class,Order,Family,Genus,Species,Subspecies,FullName,AuthorYear,RankName,CurrentListing,"
    "SynonymsWithAuthors,EnglishNames\n"
    "1,Animalia,Chordata,Actinopteri,Acipenseriformes,Acipenseridae,Acipenser,sturio,,Acipenser sturio,"
    '"Linnaeus, 1758",SPECIES,I,"Acipenser lichtensteinii Bloch & Schneider, 1801",Common Sturgeon\n'
    "2,Animalia,Chordata,Actinopteri,Acipenseriformes,Acipenseridae,Acipenser,oxyrinchus,,Acipenser oxyrinchus,"
    '"Mitchill, 1815",SPECIES,II,"Acipenser lichtensteinii Bloch & Schneider, 1801, Acipenser oxyrhynchus '
    'Mitchill, 1815, Acipenser sturio Mitchill, 1815",Atlantic Sturgeon\n'
)


def sturgeon_index(folder: Path) -> Path:
    """A Checklist Index export in which, as in the 2017 Index, ``Acipenser lichtensteinii`` is a synonym of an
    Appendix I sturgeon (``Acipenser sturio``) and of an Appendix II one (``Acipenser oxyrinchus``); the second
    also gives the accepted name ``Acipenser sturio`` as a synonym (the accepted name wins)."""
    path = folder / "Index_of_CITES_Species_2017-04-21.csv"
    path.write_text(STURGEON_INDEX, encoding="utf-8")
    return path


INDEX_COLUMNS = (
    "TaxonId",
    "Kingdom",
    "Class",
    "Family",
    "Genus",
    "FullName",
    "RankName",
    "CurrentListing",
    "AnnotationEnglish",
    "FullAnnotationEnglish",
)
SPLIT_LISTINGS = (
    ("1", "Animalia", "Mammalia", "Felidae", "", "Felidae", "FAMILY", "II",
     "Appendix II:Except the species included in Appendix I.", ""),
    ("2", "Animalia", "Mammalia", "Felidae", "Panthera", "Panthera leo", "SPECIES", "I/II",
     "Appendix I:Population of India\nAppendix II:Included in Felidae spp. ",
     "Appendix I:Only the population of India; all other populations are included in Appendix II.\n"
     "Appendix II:For <i>Panthera leo</i> (African populations): a zero annual export quota is established for "
     "specimens of bones, bone pieces, bone products, claws, skeletons, skulls and teeth removed from the wild "
     "and traded for commercial purposes."),
    ("3", "Animalia", "Mammalia", "Felidae", "Caracal", "Caracal caracal", "SPECIES", "I/II",
     "Appendix I:Only the population of Asia.\nAppendix II:Except Asian population", ""),
    ("4", "Animalia", "Mammalia", "Camelidae", "Vicugna", "Vicugna vicugna", "SPECIES", "I/II",
     "Appendix I:All populations except those included in Appendix II. \nAppendix II:Parts of populations of AR "
     "and CL, and the populations of BO, PE and EC. ", ""),
    ("5", "Animalia", "Mammalia", "Bovidae", "Ovis", "Ovis canadensis", "SPECIES", "II",
     "Appendix II:Population of MX only (Populations of CA & US removed).",
     "Appendix II:Only the population of Mexico; no other population is included in the Appendices."),
)  # fmt: skip


def split_listings_index(folder: Path) -> Path:
    """A Checklist Index export of split listings given in words only: the African lion (Appendix I "Population
    of India", Appendix II by the Felidae listing), a region (the caracal's "population of Asia"), countries named
    in part (the vicuna's "parts of populations of AR and CL") and a short text only its legal text makes
    readable (Ovis canadensis)."""
    path = folder / "Index_of_CITES_Species_2024-01-01.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([INDEX_COLUMNS, *SPLIT_LISTINGS])
    return path


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def build_from(paths: Sequence[Path], target: Path) -> tuple[Registry, list[RegistrySource]]:
    """Import ``paths`` into a new registry at ``target``; returns it and the sources (for their warnings)."""
    sources = open_sources(paths)
    records = [record for source in sources for record in source.records()]
    as_of = max((source.as_of for source in sources if source.as_of), default=None)
    return Registry.build(target, records, "; ".join(s.description for s in sources), as_of), sources


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """The embedded default registry, compiled once for the session."""
    with compile_embedded(tmp_path_factory.mktemp("embedded") / "registry.sqlite") as registry:
        yield registry


@pytest.fixture(scope="session")
def index_2017(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, RegistrySource]]:
    """The real 2017 Checklist Index (38,079 taxa) imported once for the session."""
    path = shared_path(*INDEX_2017)
    registry, sources = build_from([path], tmp_path_factory.mktemp("index") / "registry.sqlite")
    with registry:
        yield registry, sources[0]


Build = Callable[..., Registry]


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """Build a registry from ``TaxonRecord``s written in the test."""

    def make(*records: TaxonRecord) -> Registry:
        return Registry.build(tmp_path / "registry.sqlite", records, "test records", None)

    return make


def taxon(name: str, rank: str = "SPECIES", **fields: Any) -> Taxon:
    """An animal taxon; classification and other fields as keyword arguments (``class_`` for the class)."""
    return dataclasses.replace(Taxon(full_name=name, rank=rank, kingdom="Animalia"), **fields)


def change(appendix: str, date: str | None, **fields: Any) -> ListingChange:
    """A listing change (ADDITION unless ``change_type`` says otherwise) effective on ``date`` (ISO)."""
    return dataclasses.replace(ListingChange(appendix, effective_at=day(date) if date else None), **fields)
