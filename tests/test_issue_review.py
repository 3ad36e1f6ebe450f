"""Review of ``cites issue`` as a Management Authority uses it: descriptions at the edges of what is legal.

Every test reads a real description file (YAML or JSON) written as an officer would type it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from permits.description import load_permit
from permits.errors import PermitValidationError
from tests.conftest import CliResult, MakeAuthority

ZOO = Path(__file__).resolve().parent.parent / "examples" / "zoo-transfer-app1.yaml"
TIMBER = Path(__file__).resolve().parent.parent / "examples" / "timber-export-app2.yaml"


def written(tmp_path: Path, text: str, name: str = "permit.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("written_as", "signed_as"),
    [
        ("0123456", "0123456"),  # YAML 1.1 octal: was signed as 42798
        ("12:30", "12:30"),  # YAML 1.1 sexagesimal: was signed as 750
        ("1_000", "1_000"),  # YAML 1.1 digit grouping: was signed as 1000
        ("0x1F", "0x1F"),  # YAML 1.1 hexadecimal: was signed as 31
        ("1.50", "1.50"),  # a float: was signed as 1.5
        ("900118000123456", "900118000123456"),
    ],
)
def test_unquoted_identifiers_are_signed_as_written(tmp_path: Path, written_as: str, signed_as: str) -> None:
    text = ZOO.read_text(encoding="utf-8")
    text = text.replace('id: "900118000123456"', f"id: {written_as}").replace(
        "security_stamp: KE-SS-0041887", f"security_stamp: {written_as}"
    )
    permit = load_permit(written(tmp_path, text))
    assert permit.items[0].marks[0].identifier == signed_as
    assert permit.security_stamp == signed_as


def test_unquoted_quantity_with_a_leading_zero_is_decimal_not_octal(tmp_path: Path) -> None:
    text = ZOO.read_text(encoding="utf-8").replace("quantity: 2", "quantity: 012")
    assert load_permit(written(tmp_path, text)).items[0].quantity == 12  # YAML 1.1 octal read it as 10


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_a_quantity_with_too_many_decimals_is_refused_not_rounded(tmp_path: Path, suffix: str) -> None:
    if suffix == "yaml":
        path = written(tmp_path, TIMBER.read_text(encoding="utf-8").replace("48.250", "48.1234567"))
    else:
        import yaml

        mapping = yaml.safe_load(TIMBER.read_text(encoding="utf-8"))
        raw = json.dumps(mapping).replace('"quantity": 48.25', '"quantity": 48.1234567', 1)
        path = written(tmp_path, raw, "permit.json")
    with pytest.raises(PermitValidationError, match=r"items\[0\]\.quantity: '48\.1234567' is not a decimal"):
        load_permit(path)


@pytest.mark.parametrize(
    ("written_as", "signed_as"),
    [("48.250", "48.25"), ("48.2500000", "48.25"), ("123456789012.123456", "123456789012.123456"), ("1.5e+3", "1500")],
)
def test_decimal_quantities_are_read_exactly(tmp_path: Path, written_as: str, signed_as: str) -> None:
    text = TIMBER.read_text(encoding="utf-8").replace("quantity: 48.250", f"quantity: {written_as}")
    permit = load_permit(written(tmp_path, text))
    assert permit.items[0].quantity == Decimal(signed_as)


def test_json_decimal_quantity_is_read_exactly(tmp_path: Path) -> None:
    import yaml

    mapping = yaml.safe_load(TIMBER.read_text(encoding="utf-8"))
    raw = json.dumps(mapping).replace('"quantity": 48.25', '"quantity": 123456789012.123456', 1)
    permit = load_permit(written(tmp_path, raw, "permit.json"))
    assert permit.items[0].quantity == Decimal("123456789012.123456")


def test_a_wrong_unit_is_one_problem_naming_the_unit(tmp_path: Path) -> None:
    text = TIMBER.read_text(encoding="utf-8").replace("unit: MTQ", "unit: M3", 1)
    with pytest.raises(PermitValidationError) as refused:
        load_permit(written(tmp_path, text))
    assert refused.value.problems == [
        "items[0].unit: 'M3' is not a CITES unit code (NUM, KIL, GRM, LTR, MLT, MTQ, MTR, MTK, CTM, PCS, PRS, SET, "
        "BSK, CRT, SHP)"
    ]


def test_a_missing_unit_is_a_number_of_specimens_and_the_refusal_says_so(tmp_path: Path) -> None:
    text = TIMBER.read_text(encoding="utf-8").replace("    unit: MTQ\n", "", 1)
    with pytest.raises(PermitValidationError, match=r"48\.25 NUM \(no unit given: a number of specimens\): counted"):
        load_permit(written(tmp_path, text))


def test_an_empty_unit_is_a_number_of_specimens_and_still_counted_whole(tmp_path: Path) -> None:
    text = TIMBER.read_text(encoding="utf-8").replace("unit: MTQ", 'unit: ""', 1)
    with pytest.raises(PermitValidationError, match=r"items\[0\]\.quantity: 48\.25 NUM \(no unit given"):
        load_permit(written(tmp_path, text))


def test_a_permit_too_large_for_its_qr_code_says_what_to_shorten_and_writes_nothing(
    cli: Callable[..., CliResult], make_authority: MakeAuthority, tmp_path: Path
) -> None:
    authority = make_authority()
    text = ZOO.read_text(encoding="utf-8")
    marks = "".join(f'      - {{kind: microchip, id: "9001180001{index:05d}"}}\n' for index in range(200))
    start, end = text.index("    marks:\n") + len("    marks:\n"), text.index("    term: LIV")
    description = written(tmp_path, text[:start] + marks + text[end:].replace("quantity: 2", "quantity: 200"))
    out = tmp_path / "out"
    result = cli("issue", str(description), "--key", str(authority.files.private), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "needs QR version 33; the limit is 30" in result.stderr
    assert "1 specimen line(s) and 200 identifying mark(s)" in result.stderr
    assert "its longest texts: special_conditions (84 characters)" in result.stderr
    assert not out.exists() or not any(out.iterdir())
    shown = cli("ledger", "show", "KE", "KE/2026/ZOO/0001")  # no ledger, or one without the permit
    assert shown.exit_code == 2 or "register: not in this ledger" in shown.stdout
