"""Cross-permit findings on report rows built from permits directly (no signing: the index reads report rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from permits.audit.findings import find_all
from permits.audit.index import BatchIndex, facts_of
from permits.model import Permit
from tests.audit.batch import crocodile_export, crocodile_reexport, with_line, zoo

FRENCH: dict[str, Any] = {
    "authority": {"name": "Ministere", "country": "FR"},
    "exporter": {"name": "Maroquinerie", "country": "FR"},
}


def _row(reference: str, permit: Permit | None, status: str = "VALID", page: int | None = None) -> dict[str, Any]:
    return {"input": reference, "page": page, "valid": status == "VALID", "status": status,
            "reason": f"{status} reason", "permit": permit.to_mapping() if permit else None, "signer": None,
            "checks": []}  # fmt: skip


def _find(folder: Path, *rows: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    folder.mkdir(exist_ok=True)
    with BatchIndex(folder) as index:
        index.add(facts_of(row) for row in rows)
        return [(finding.kind, finding.inputs) for finding in find_all(index)]


def test_a_reexport_counts_against_the_nearest_cited_document_in_the_batch(tmp_path: Path) -> None:
    origin = _row("zw", crocodile_export("ZW/1", 24))
    french = _row("fr", crocodile_reexport("FR/RE/1", 20, "ZW/1", **FRENCH))
    italian = _row("it", crocodile_reexport("IT/RE/1", 20, "ZW/1", last=("FR", "FR/RE/1")))
    other = _row("it2", crocodile_reexport("IT/RE/2", 10, "ZW/1"))
    assert _find(tmp_path / "chain", origin, french, italian) == []  # IT/RE/1 re-exports what FR/RE/1 brought in
    # without the French certificate, the Italian one counts against the origin: 20 + 10 > 24
    assert _find(tmp_path / "gap", origin, italian, other) == [("REEXPORT_OVER_QUANTITY", ("zw", "it", "it2"))]


def test_revoked_replaced_and_repeated_certificates_are_not_counted_twice(tmp_path: Path) -> None:
    first = crocodile_reexport("IT/RE/1", 20, "ZW/1")
    replaced = crocodile_reexport("IT/RE/3", 20, "ZW/1")
    replacement = crocodile_reexport("IT/RE/4", 4, "ZW/1", replaces={"number": "IT/RE/3", "reason": "lost"})
    rows = [
        _row("origin", crocodile_export("ZW/1", 24)),
        _row("a", first),
        _row("b", first),
        _row("revoked", crocodile_reexport("IT/RE/2", 20, "ZW/1"), status="REVOKED"),
        _row("replacement", replacement),
    ]
    found = _find(tmp_path / "cancelled", *rows, _row("replaced", replaced, status="REVOKED"))
    assert found == [("REPEATED_PERMIT", ("a", "b"))]  # 20 + 4 of 24: within the origin permit
    # a replaced certificate that was not cancelled counts as the larger of it and its replacement: 20 + 20 > 24
    assert _find(tmp_path / "not-cancelled", *rows, _row("replaced", replaced)) == [
        ("REPEATED_PERMIT", ("a", "b")),
        ("REEXPORT_OVER_QUANTITY", ("origin", "a", "b", "replaced", "replacement")),
    ]


def test_an_origin_permit_filed_twice_covers_its_quantity_once(tmp_path: Path) -> None:
    origin = crocodile_export("ZW/1", 24)
    reexport = _row("re", crocodile_reexport("IT/RE/1", 30, "ZW/1"))
    found = _find(tmp_path, _row("o1", origin), _row("o2", origin), reexport)
    assert found == [("REPEATED_PERMIT", ("o1", "o2")), ("REEXPORT_OVER_QUANTITY", ("o1", "o2", "re"))]  # not 48


def test_a_certificate_cited_as_origin_by_one_line_and_as_last_reexport_by_another(tmp_path: Path) -> None:
    french = _row("fr", crocodile_reexport("FR/RE/1", 20, "ZW/1", **FRENCH))
    via_last = _row("a", crocodile_reexport("IT/RE/1", 12, "ZW/1", last=("FR", "FR/RE/1")))
    cited_as_origin = {"country": "FR", "number": "FR/RE/1", "date": "2026-02-01"}
    as_origin = _row("b", with_line(crocodile_reexport("IT/RE/2", 12, "ZW/1"), origin=cited_as_origin))
    assert _find(tmp_path, french, via_last, as_origin) == [  # 12 + 12 > 20, however each line cites it
        ("REEXPORT_OVER_QUANTITY", ("fr", "a", "b")),  # the cited document's inputs first
        ("ORIGIN_NOT_IN_BATCH", ("fr",)),
    ]


def test_a_species_the_origin_permit_never_covered(tmp_path: Path) -> None:
    python = with_line(crocodile_reexport("IT/RE/1", 3, "ZW/1"), scientific_name="Python reticulatus")
    with BatchIndex(tmp_path) as index:
        index.add(facts_of(row) for row in (_row("origin", crocodile_export("ZW/1", 24)), _row("re", python)))
        [finding] = find_all(index)
    assert finding.kind == "REEXPORT_OVER_QUANTITY" and "more than the 0 NUM it covered" in finding.message


def test_other_kinds_of_specimen_of_the_cited_species_are_not_compared(tmp_path: Path) -> None:
    """Skins re-exported as watch straps cannot be counted against the origin: an info finding says so, not an
    over-quantity error; the same kind of specimen in another unit is still an over-quantity."""
    origin = crocodile_export("ZW/1", 24)
    straps = with_line(crocodile_reexport("IT/RE/1", 60, "ZW/1"), term="SKP")
    by_weight = with_line(crocodile_reexport("IT/RE/2", 5, "ZW/1"), unit="KIL")
    with BatchIndex(tmp_path) as index:
        rows = (_row("origin", origin), _row("straps", straps), _row("kilos", by_weight))
        index.add(facts_of(row) for row in rows)
        found = [(finding.kind, finding.severity.value, finding.inputs) for finding in find_all(index)]
    assert found == [
        ("REEXPORT_OVER_QUANTITY", "error", ("origin", "kilos")),  # the same kind by weight: 5 KIL, none covered
        ("REEXPORT_NOT_COMPARED", "info", ("origin", "straps")),
    ]


def test_a_number_written_twice_differently_and_one_permit_saved_as_three_files(tmp_path: Path) -> None:
    """Numbers compare as stamps do (KE/1 and ke-1, or Cyrillic look-alike letters, are one number); the PDF,
    image and QR text ``cites issue`` writes for one permit are one document, an info finding, not a warning."""
    first = zoo("KE/2026/ZOO/0104", "S-1", "900118000000001")
    second = zoo("\u041a\u0415-2026-zoo-0104", "S-2", "900118000000002")  # Cyrillic Ka and Ie: "KE"
    found = _find(tmp_path / "numbers", _row("a", first), _row("b", second))
    assert found == [("DUPLICATE_NUMBER", ("a", "b"))]
    with BatchIndex(tmp_path) as index:
        copies = ("out/KE-1.pdf", "out/KE-1.png", "out/KE-1.txt:1")
        index.add(facts_of(_row(reference, first)) for reference in copies)
        [finding] = find_all(index)
    assert (finding.kind, finding.severity.value, finding.inputs) == ("REPEATED_PERMIT", "info", copies)


def test_a_mark_repeated_by_a_reexport_or_a_replacement_is_not_a_duplicate(tmp_path: Path) -> None:
    chip = [{"kind": "microchip", "id": "900118000000042"}]
    origin = _row("origin", with_line(crocodile_export("ZW/1", 1), marks=chip))
    reexport = _row("re", with_line(crocodile_reexport("IT/RE/1", 1, "ZW/1"), marks=chip))
    lost = _row("lost", zoo("KE/20", "S-20", "900118000000042"))
    replacement = _row("new", zoo("KE/21", "S-21", "900118000000042", replaces={"number": "KE/20", "reason": "lost"}))
    assert _find(tmp_path / "linked", origin, reexport, lost, replacement) == [
        ("DUPLICATE_MARK", ("origin", "re", "lost", "new"))  # two groups that do not cite each other
    ]
    assert _find(tmp_path / "re-export", origin, reexport) == []
    assert _find(tmp_path / "replacement", lost, replacement) == []
    spaced = _row("spaced", zoo("KE/22", "S-22", "900 118 000-000-042"))
    assert _find(tmp_path / "spaced", lost, spaced) == [("DUPLICATE_MARK", ("lost", "spaced"))]


def test_citations_and_replacements_written_otherwise_name_the_document(tmp_path: Path) -> None:
    """Box 12, 12a and Box 5 numbers compare as ``DUPLICATE_NUMBER`` compares numbers: ``zw-1`` cites ``ZW/1``."""
    chip = [{"kind": "microchip", "id": "900118000000042"}]
    origin = _row("origin", with_line(crocodile_export("ZW/1", 24), marks=chip))
    first = _row("a", with_line(crocodile_reexport("IT/RE/1", 20, "zw-1"), marks=chip))
    second = _row("b", crocodile_reexport("IT/RE/2", 10, "ZW 1"))
    with BatchIndex(tmp_path) as index:
        index.add(facts_of(row) for row in (origin, first, second))
        [finding] = find_all(index)
    assert (finding.kind, finding.inputs) == ("REEXPORT_OVER_QUANTITY", ("origin", "a", "b"))
    assert "citing ZW ZW/1 " in finding.message and finding.details["cited"] == {"country": "ZW", "number": "ZW/1"}
    lost = _row("lost", zoo("KE/20", "S-20", "900118000000043"))
    replacement = _row("new", zoo("KE/21", "S-21", "900118000000043", replaces={"number": "ke-20", "reason": "lost"}))
    assert _find(tmp_path / "replacement", lost, replacement) == []
    assert _find(tmp_path / "absent", second) == [("ORIGIN_NOT_IN_BATCH", ("b",))]


def test_findings_name_the_page_of_a_file_with_permits_on_several_pages(tmp_path: Path) -> None:
    first, second = zoo("KE/1", "S-1", "C-1"), zoo("KE/1", "S-2", "C-2")
    bundle = [_row("bundle.pdf", first, page=2), _row("bundle.pdf", second, page=5)]
    assert _find(tmp_path / "bundle", *bundle) == [("DUPLICATE_NUMBER", ("bundle.pdf page 2", "bundle.pdf page 5"))]
    issued = [_row("a.pdf", first, page=1), _row("b.pdf", second, page=1)]  # one page each: the file is enough
    assert _find(tmp_path / "issued", *issued) == [("DUPLICATE_NUMBER", ("a.pdf", "b.pdf"))]


def test_origin_statuses(tmp_path: Path) -> None:
    reexport = _row("re", crocodile_reexport("IT/RE/1", 5, "ZW/1"))
    for status in ("EXPIRED", "ALREADY_USED"):
        assert _find(tmp_path / status, _row("origin", crocodile_export("ZW/1", 5), status), reexport) == []
    broken = _row("origin", crocodile_export("ZW/1", 5), "RULE_VIOLATION")
    assert _find(tmp_path / "rule", broken, reexport) == [("ORIGIN_NOT_VALID", ("origin", "re"))]
    assert _find(tmp_path / "absent", reexport) == [("ORIGIN_NOT_IN_BATCH", ("re",))]


def test_numbers_stamps_and_unproven_permits(tmp_path: Path) -> None:
    found = _find(
        tmp_path,
        _row("a", zoo("KE/1", "S-88", "CHIP-1")),
        _row("b", zoo("KE/1", "s 88", "CHIP-2")),  # the same number and stamp, written otherwise
        _row("c", zoo("KE/3", "S-3", "CHIP-3")),
        _row("d", zoo("KE/3", "S-3", "CHIP-3")),
        _row("forged", None, "UNKNOWN_KEY"),
    )
    assert found == [("DUPLICATE_NUMBER", ("a", "b")), ("REPEATED_PERMIT", ("c", "d"))]
    with BatchIndex(tmp_path) as index:  # two documents, one of them in two inputs: counted as two
        rows = [_row("e", zoo("KE/5", "S-5", "C-5")), _row("f", zoo("KE/5", "S-6", "C-6")),
                _row("g", zoo("KE/5", "S-5", "C-5"))]  # fmt: skip
        index.add(facts_of(row) for row in rows)
        duplicate = next(finding for finding in find_all(index) if finding.kind == "DUPLICATE_NUMBER")
    assert duplicate.message == "KE permit number KE/5 is on 2 different signed documents"
    assert duplicate.inputs == ("e", "f", "g")
    # a stamp on two numbers
    assert _find(tmp_path / "stamp", _row("a", zoo("KE/1", "S-88", "C-1")), _row("b", zoo("KE/2", "s 88", "C-2"))) == [
        ("REUSED_STAMP", ("a", "b"))
    ]
    with BatchIndex(tmp_path) as index:  # named as printed on the first permit, not as compared
        index.add(facts_of(_row(name, zoo(f"KE/{name}", "S-88", name))) for name in ("x", "y"))
        [finding] = find_all(index)
    assert (
        finding.message == "KE security stamp S-88 is on 2 permits: KE/x, KE/y" and finding.details["stamp"] == "S-88"
    )
