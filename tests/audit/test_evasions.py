"""A launderer's and a corrupt official's evasions of the cross-permit findings, each with genuine signed permits
audited end to end: what a reader takes for one number, stamp or mark is one to the audit too."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from permits.audit.reports import finding_format
from permits.envelope import seal
from permits.model import Permit
from tests.audit.batch import crocodile_export, crocodile_reexport, with_line, zoo
from tests.conftest import Authority, CliResult, MakeAuthority

Cli = Callable[..., CliResult]
Found = list[tuple[str, tuple[int, ...]]]


@pytest.fixture
def authorities(make_authority: MakeAuthority) -> dict[str, Authority]:
    return {party: make_authority(party, f"Management Authority {party}") for party in ("KE", "ZW", "IT", "FR")}


def _audit(cli: Cli, tmp_path: Path, authorities: dict[str, Authority], *permits: Permit) -> Found:
    """Audit ``permits``, each signed by its Party's key, one per line of a text file: the findings as (kind,
    line numbers of the inputs), after checking every permit is VALID (nothing but the findings can stop them)."""
    folder = tmp_path / "batch"
    folder.mkdir(parents=True)
    texts = [seal(permit, authorities[permit.authority.country].key) for permit in permits]
    (folder / "permits.txt").write_text("\n".join(texts) + "\n")
    report = folder / "out" / "audit.jsonl"
    result = cli("audit", folder / "permits.txt", "--report", report, "--workers", "1", "--quiet")
    assert result.exit_code in (0, 1), result.stderr
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert [row["status"] for row in rows] == ["VALID"] * len(permits), [row["reason"] for row in rows]
    findings = folder / "out" / "audit.findings.jsonl"
    with open(findings, "rb") as handle:
        found = [record.row for record in finding_format(findings).records(handle) if record.row]
    return [(row["kind"], tuple(int(place.rsplit(":", 1)[1]) for place in row["inputs"])) for row in found]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("KE/2026/1", "KE/2026/0001"),  # leading zeros
        ("KE/2026/1", "KE2026/1"),  # no separator between letters and digits
        ("IT/RE/1", "ITRE/1"),  # nor between letters
        ("KE/2026/1", "KE/20\u034f26/1"),  # the combining grapheme joiner, an invisible mark
        ("KE/2026/1", "KE/2026/1\u3164"),  # a Hangul filler, an invisible letter
        ("KE/2026/1", "KE/202\u03016/1"),  # an accent over a digit
    ],
)
def test_a_number_written_to_look_the_same_is_a_duplicate_number(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority], first: str, second: str
) -> None:
    permits = (zoo(first, "S-1", "900118000000001"), zoo(second, "S-2", "900118000000002"))
    assert _audit(cli, tmp_path, authorities, *permits) == [("DUPLICATE_NUMBER", (1, 2))]


def test_numbers_apart_by_their_digits_stay_apart(cli: Cli, tmp_path: Path, authorities: dict[str, Authority]) -> None:
    permits = (zoo("KE/1/23", "S-1", "C-1"), zoo("KE/12/3", "S-2", "C-2"), zoo("KE/10/23", "S-3", "C-3"))
    assert _audit(cli, tmp_path, authorities, *permits) == []


@pytest.mark.parametrize(
    ("first", "second"), [("S-0042", "S-42"), ("S-42", "S-4\u31642"), ("S-42", "S-4\uffa02"), ("S-42", "S\u034f-42")]
)
def test_a_stamp_written_to_look_the_same_is_reused(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority], first: str, second: str
) -> None:
    permits = (zoo("KE/1", first, "900118000000001"), zoo("KE/2", second, "900118000000002"))
    assert _audit(cli, tmp_path, authorities, *permits) == [("REUSED_STAMP", (1, 2))]


@pytest.mark.parametrize("second", ["0900118000000042", "900118\u3164000000042", "9001180000000\u034f42"])
def test_a_microchip_written_to_look_the_same_is_a_duplicate_mark(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority], second: str
) -> None:
    permits = (zoo("KE/1", "S-1", "900118000000042"), zoo("KE/2", "S-2", second))
    assert _audit(cli, tmp_path, authorities, *permits) == [("DUPLICATE_MARK", (1, 2))]


@pytest.mark.parametrize("cited", ["ZW/2026/871", "ZW2026/00871", "ZW/20\u034f26/00871", "zw 2026 0871\u3164"])
def test_an_origin_cited_as_it_looks_is_counted(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority], cited: str
) -> None:
    """A Box 12 number written otherwise must not make the origin 'not in the batch' (info, exit 0)."""
    origin = crocodile_export("ZW/2026/00871", 24)
    first, second = crocodile_reexport("IT/RE/1", 20, "ZW/2026/00871"), crocodile_reexport("IT/RE/2", 20, cited)
    assert _audit(cli, tmp_path, authorities, origin, first, second) == [("REEXPORT_OVER_QUANTITY", (1, 2, 3))]


def test_an_origin_permit_and_its_replacement_cover_its_specimens_once(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority]
) -> None:
    """Zimbabwe 'replaces' its origin permit (Box 5) with one for the same 24 skins; Italy re-exports 20 citing
    each: 40 of 24."""
    origin = crocodile_export("ZW/2026/00871", 24)
    replacement = crocodile_export("ZW/2026/00872", 24, replaces={"number": "ZW/2026/00871", "reason": "lost"})
    first = crocodile_reexport("IT/RE/1", 20, "ZW/2026/00871")
    second = crocodile_reexport("IT/RE/2", 20, "ZW/2026/00872")
    assert _audit(cli, tmp_path, authorities, origin, replacement, first, second) == [
        ("REEXPORT_OVER_QUANTITY", (1, 2, 3, 4))
    ]


def test_a_replacement_issued_for_another_certificate_does_not_erase_it(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority]
) -> None:
    """Italy re-exports 20 and 20 of 24, then 'replaces' the first certificate with one for a python skin: the
    first, never cancelled, still counts."""
    origin = crocodile_export("ZW/2026/00871", 24)
    first = crocodile_reexport("IT/RE/1", 20, "ZW/2026/00871")
    second = crocodile_reexport("IT/RE/2", 20, "ZW/2026/00871")
    python = with_line(
        crocodile_reexport("IT/RE/3", 1, "ZW/2026/00871", replaces={"number": "IT/RE/1", "reason": "lost"}),
        scientific_name="Python reticulatus",
        origin={"country": "ZW", "number": "ZW/2026/00999", "date": "2026-01-14"},
    )
    assert _audit(cli, tmp_path, authorities, origin, first, second, python) == [
        ("REEXPORT_OVER_QUANTITY", (1, 2, 3)),
        ("ORIGIN_NOT_IN_BATCH", (4,)),
    ]


def test_a_last_reexport_certificate_of_another_origin_hides_nothing(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority]
) -> None:
    """Italy's second certificate cites, in Box 12a, a large French certificate of another origin to be counted
    against it instead of its origin; a genuine chain (a re-export of that certificate) still counts against it."""
    french: dict[str, Any] = {
        "authority": {"name": "Ministere", "country": "FR"},
        "exporter": {"name": "Tannerie", "country": "FR"},
    }
    origin = crocodile_export("ZW/2026/00871", 24)
    large = crocodile_reexport("FR/RE/9", 1000, "ZW/2026/00999", **french)
    first = crocodile_reexport("IT/RE/1", 20, "ZW/2026/00871")
    second = crocodile_reexport("IT/RE/2", 20, "ZW/2026/00871", last=("FR", "FR/RE/9"))
    chain = crocodile_reexport("IT/RE/3", 500, "ZW/2026/00999", last=("FR", "FR/RE/9"))
    assert _audit(cli, tmp_path, authorities, origin, large, first, second, chain) == [
        ("REEXPORT_OVER_QUANTITY", (1, 3, 4)),
        ("ORIGIN_NOT_IN_BATCH", (2,)),  # the large certificate's own origin
    ]


def test_one_animal_re_exported_twice_under_one_origin_is_a_duplicate_mark(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority]
) -> None:
    """Zimbabwe exports two microchipped crocodiles; Italy issues two certificates of one animal each, both with
    the first chip: 1 + 1 of 2 passes the quantity check, but one animal cannot leave twice. A chain (a
    re-export of the first certificate) repeats the chip legitimately."""
    chips = [{"kind": "microchip", "id": "900118000000042"}, {"kind": "microchip", "id": "900118000000043"}]
    french: dict[str, Any] = {
        "authority": {"name": "Ministere", "country": "FR"},
        "exporter": {"name": "Zoo", "country": "FR"},
    }
    origin = with_line(crocodile_export("ZW/2026/00871", 2), marks=chips)
    first = with_line(crocodile_reexport("IT/RE/1", 1, "ZW/2026/00871"), marks=chips[:1])
    second = with_line(crocodile_reexport("IT/RE/2", 1, "ZW/2026/00871"), marks=chips[:1])
    onward = with_line(
        crocodile_reexport("FR/RE/1", 1, "ZW/2026/00871", last=("IT", "IT/RE/1"), **french), marks=chips[:1]
    )
    assert _audit(cli, tmp_path / "twice", authorities, origin, first, second) == [("DUPLICATE_MARK", (1, 2, 3))]
    assert _audit(cli, tmp_path / "chain", authorities, origin, first, onward) == []


def test_a_microchip_written_as_another_kind_of_mark_is_a_duplicate_mark(
    cli: Cli, tmp_path: Path, authorities: dict[str, Authority]
) -> None:
    chip_as_tag = with_line(zoo("KE/2", "S-2", "x"), marks=[{"kind": "tag", "id": "900118000000042"}])
    permits = (zoo("KE/1", "S-1", "900118000000042"), chip_as_tag)
    assert _audit(cli, tmp_path, authorities, *permits) == [("DUPLICATE_MARK", (1, 2))]
