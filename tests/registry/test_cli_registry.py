"""``cites registry`` end to end (in-process): lookup, import, info; one-line errors, never a traceback."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from permits.registry.default import default_registry_path
from permits.registry.store import SCHEMA_VERSION
from tests.conftest import REPO_ROOT, CliResult
from tests.registry.conftest import FIXTURES, sturgeon_index

Cli = Callable[..., CliResult]


def ok(result: CliResult) -> CliResult:
    assert result.exit_code == 0, result.stderr
    return result


def one_line_error(result: CliResult, fragment: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert fragment in result.stderr and "Traceback" not in result.stderr


def test_lookup_prints_json(cli: Cli) -> None:
    result = ok(cli("registry", "lookup", "loxodonta  africana", "--origin", "bw", "--at", "2024-05-01", "--json"))
    data = json.loads(result.stdout)
    assert (data["accepted_name"], data["appendix"], data["origin"], data["on"]) == (
        "Loxodonta africana",
        "II",
        "BW",
        "2024-05-01",
    )
    assert set(data) >= {"query", "listed_under", "party", "annotation", "effective_at", "suggestions"}


def test_lookup_prints_a_readable_answer(cli: Cli) -> None:
    result = ok(cli("registry", "lookup", "Phataginus tricuspis", "--at", "2016-06-01"))
    assert "Manis tricuspis (synonym Phataginus tricuspis)" in result.stdout
    assert "Manis spp." in result.stdout and "White-bellied pangolin" in result.stdout
    budgie = ok(cli("registry", "lookup", "Melopsittacus undulatus"))
    assert "not listed" in budgie.stdout and "Psittaciformes spp." in budgie.stdout
    badger = ok(cli("registry", "lookup", "Mellivora capensis"))
    assert "III" in badger.stdout and "BW" in badger.stdout


def test_lookup_of_an_unknown_name_suggests_known_ones(cli: Cli) -> None:
    result = ok(cli("registry", "lookup", "Loxodonta africanus"))
    assert "unknown name" in result.stdout and "did you mean: Loxodonta africana" in result.stdout
    data = json.loads(ok(cli("registry", "lookup", "Loxodonta africanus", "--json")).stdout)
    assert data["accepted_name"] is None and data["suggestions"][0] == "Loxodonta africana"


def test_lookup_rejects_bad_dates_and_origins(cli: Cli) -> None:
    bad_date = cli("registry", "lookup", "Manis javanica", "--at", "02/01/2017")
    one_line_error(bad_date, "--at: '02/01/2017' is not a date")
    one_line_error(cli("registry", "lookup", "Manis javanica", "--origin", "Kenya"), "--origin: 'Kenya'")
    for code in ("ZZ", "uk"):  # two letters, but no country: a split listing would be read for none
        one_line_error(cli("registry", "lookup", "Loxodonta africana", "--origin", code), f"--origin: '{code}' is not")
    # as every date option: YYYY-MM-DD only, in the same words
    one_line_error(
        cli("registry", "lookup", "Manis javanica", "--at", "20170102"), "--at: '20170102' is not a date YYYY-MM-DD"
    )


def test_registry_errors_escape_control_characters(cli: Cli, tmp_path: Path) -> None:
    """Registry errors go through the one error boundary: a file name's escape sequence is shown, never run."""
    result = cli("registry", "import", tmp_path / "export\x1b[2J.csv")
    one_line_error(result, "export\\x1b[2J.csv")
    assert "\x1b" not in result.stderr


def test_info_reports_the_embedded_default(cli: Cli, cites_home: Path) -> None:
    result = ok(cli("registry", "info"))
    assert "origin:          embedded" in result.stdout and str(cites_home) in result.stdout
    data = json.loads(ok(cli("registry", "info", "--json")).stdout)
    assert data["taxa"] >= 200 and data["as_of"] == "2025-06-01"


def test_import_replaces_the_registry_and_reports_warnings(cli: Cli) -> None:
    result = ok(cli("registry", "import", FIXTURES / "speciesplus_bad_rows.csv"))
    assert "imported 4 taxa (4 warnings)" in result.stdout
    assert result.stderr.count("warning: ") == 4 and "speciesplus_bad_rows.csv:3: row has 14 fields" in result.stderr
    info = json.loads(ok(cli("registry", "info", "--json")).stdout)
    assert (info["origin"], info["taxa"]) == ("imported", 4)
    unknown = json.loads(ok(cli("registry", "lookup", "Loxodonta africana", "--json")).stdout)
    assert unknown["accepted_name"] is None


def test_import_merge_keeps_the_current_taxa(cli: Cli) -> None:
    ok(cli("registry", "info"))
    ok(cli("registry", "import", "--merge", FIXTURES / "history_missing_optional.csv"))
    info = json.loads(ok(cli("registry", "info", "--json")).stdout)
    assert "merged with checklist-history" in info["source"]
    tiger = json.loads(ok(cli("registry", "lookup", "Panthera tigris", "--json")).stdout)
    assert tiger["appendix"] == "I"
    cedar = json.loads(ok(cli("registry", "lookup", "Cedrela odorata", "--at", "2010-01-01", "--json")).stdout)
    assert (cedar["appendix"], cedar["party"]) == ("III", None)


def test_a_failed_import_leaves_the_registry_unchanged(cli: Cli, tmp_path: Path) -> None:
    ok(cli("registry", "import", FIXTURES / "index_small.csv", FIXTURES / "index_bom.csv"))
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some notes\n")
    one_line_error(cli("registry", "import", FIXTURES / "history_small.csv", unknown), "notes.txt: unknown format")
    one_line_error(cli("registry", "import", tmp_path / "missing.csv"), "missing.csv: cannot read the file")
    info = json.loads(ok(cli("registry", "info", "--json")).stdout)
    assert info["taxa"] == 10 and "index_small.csv" in info["source"]


def test_a_synonym_of_several_taxa_is_counted_and_looked_up_with_every_candidate(cli: Cli, tmp_path: Path) -> None:
    imported = ok(cli("registry", "import", sturgeon_index(tmp_path)))
    assert "4 names (1 synonym of several taxa)" in imported.stdout
    assert "4 (2 synonyms, 1 synonym of several taxa)" in ok(cli("registry", "info")).stdout
    assert json.loads(ok(cli("registry", "info", "--json")).stdout)["ambiguous_names"] == 1
    shown = ok(cli("registry", "lookup", "Acipenser lichtensteinii", "--at", "2017-04-21")).stdout
    assert "Acipenser lichtensteinii (synonym of 2 taxa)" in shown
    assert "Acipenser sturio (Appendix I), Acipenser oxyrinchus (Appendix II)" in shown
    assert "judged as the strictest, Acipenser sturio" in shown
    data = json.loads(ok(cli("registry", "lookup", "Acipenser lichtensteinii", "--json")).stdout)
    assert (data["accepted_name"], data["appendix"]) == ("Acipenser sturio", "I")
    assert [candidate["accepted_name"] for candidate in data["candidates"]] == [
        "Acipenser sturio",
        "Acipenser oxyrinchus",
    ]
    with_author = ok(cli("registry", "lookup", "Acipenser lichtensteinii Bloch, 1801")).stdout
    assert "unknown name" in with_author and "candidates: Acipenser sturio (Appendix I)" in with_author


@pytest.mark.parametrize("old", ["1", "2", "3"])
def test_a_registry_of_an_older_schema_is_refused_in_one_line(cli: Cli, tmp_path: Path, old: str) -> None:
    """A registry of schema 1 kept one taxon per name, one of schema 2 took split-listing populations it could
    not read for all populations, or for the countries it could pick out, one of schema 3 could put a taxon under
    another of the history file's ranks with the same id, or out of a listing for a sentence about its parts: it
    must be imported again, not read as if it were sound."""
    ok(cli("registry", "import", sturgeon_index(tmp_path)))
    with sqlite3.connect(default_registry_path()) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (old,))
    expected = f"(schema {old}, expected {SCHEMA_VERSION}); import it again"
    one_line_error(cli("registry", "lookup", "Acipenser lichtensteinii"), expected)


def test_cites_help_lists_the_registry_without_importing_it() -> None:
    code = (
        "import sys; from cli.main import main; code = main(['--help']); "
        "assert 'permits.registry' not in sys.modules and 'rapidfuzz' not in sys.modules; sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "registry" in result.stdout
