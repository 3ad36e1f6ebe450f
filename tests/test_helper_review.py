"""Regressions found in review: description numbers that crashed or took a gigabyte, and a JSON Lines object
whose repeated-key check cost the square of its keys."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from permits.audit.inputs import AuditInput, iter_inputs
from permits.description import load_permit
from permits.errors import InputError, PermitValidationError

ZOO = Path(__file__).resolve().parent.parent / "examples" / "zoo-transfer-app1.yaml"


def _with_quantity(tmp_path: Path, quantity: str, suffix: str = ".yaml") -> Path:
    text = ZOO.read_text().replace("quantity: 2", f"quantity: {quantity}", 1)
    assert f"quantity: {quantity}" in text
    path = tmp_path / f"permit{suffix}"
    path.write_text(text)
    return path


@pytest.mark.parametrize("quantity", ["1.0e999999999", "1.0e-999999999"])
def test_a_quantity_with_a_huge_exponent_is_refused_at_once(tmp_path: Path, quantity: str) -> None:
    started = time.monotonic()
    with pytest.raises(PermitValidationError, match="is not a decimal quantity"):
        load_permit(_with_quantity(tmp_path, quantity))
    assert time.monotonic() - started < 2  # was written out in full (a gigabyte, seconds; MemoryError beyond)


def test_a_json_quantity_with_a_huge_exponent_is_refused(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(ZOO.read_text())
    data["items"][0]["quantity"] = "QUANTITY"
    path = tmp_path / "permit.json"
    path.write_text(json.dumps(data, default=str).replace('"QUANTITY"', "1e999999999999"))
    with pytest.raises(PermitValidationError, match="is not a decimal quantity"):
        load_permit(path)


@pytest.mark.parametrize("quantity", ["!!float abc", "!!float .inf"])
def test_an_explicit_float_that_is_no_decimal_is_an_input_error(tmp_path: Path, quantity: str) -> None:
    with pytest.raises(InputError, match=r"permit.yaml:\d+:\d+: invalid YAML .*not a decimal number"):
        load_permit(_with_quantity(tmp_path, quantity))  # was a decimal.InvalidOperation traceback


def test_a_decimal_where_text_is_expected_is_named_a_number(tmp_path: Path) -> None:
    path = tmp_path / "permit.yaml"
    path.write_text(ZOO.read_text().replace("scientific_name:", "scientific_name: 1.5\n    old_name:", 1))
    with pytest.raises(PermitValidationError, match="expected text, got a number"):
        load_permit(path)


def test_a_json_line_of_many_keys_with_one_repeated_is_read_in_linear_time(tmp_path: Path) -> None:
    keys = ", ".join(f'"k{number}": 0' for number in range(60_000))
    source = tmp_path / "many.jsonl"
    source.write_text(f'{{"payload": "CP1:A", {keys}, "k0": 1}}\n')
    started = time.monotonic()
    [item] = list(iter_inputs([source]))
    assert time.monotonic() - started < 5  # was about a minute (each key counted over all the pairs)
    assert item == AuditInput(f"{source}:1", str(source), 1, text="CP1:A")
