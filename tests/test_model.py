"""The permit model: every kind of bad field is named precisely, defaults follow the Convention's limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from permits.codes import DocumentType
from permits.errors import PermitValidationError
from permits.model import Permit, add_months
from tests.conftest import EXAMPLE_PERMITS, example_mapping, example_permit


@pytest.mark.parametrize("name", EXAMPLE_PERMITS)
def test_examples_are_valid(name: str) -> None:
    permit = example_permit(name)
    assert permit.items
    assert Permit.from_mapping(permit.to_mapping(), fill_defaults=False) == permit


def test_issue_date_defaults_to_today_and_validity_to_the_longest_allowed() -> None:
    today = dt.date(2026, 8, 31)
    export = example_permit(today=today)
    assert export.issued == today
    assert export.valid_until == dt.date(2027, 2, 28)  # six months, clamped to the month's end
    imported = example_permit(today=today, type="import")
    assert imported.document_type is DocumentType.IMPORT
    assert imported.valid_until == dt.date(2027, 8, 31)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2023, 8, 31), 6) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 1, 15), 12) == dt.date(2027, 1, 15)


def _line_change(field: str, value: object) -> dict[str, object]:
    data = example_mapping("zoo-transfer-app1.yaml")
    items = data["items"]
    assert isinstance(items, list)
    items.append(dict(items[0]))
    items[1][field] = value
    return data


BAD_LINES = [
    ("source", "K", "items[1].source: 'K' is not a CITES source code (W, R, D, A, C, F, U, I, O, X, Y)"),
    ("appendix", "IV", "items[1].appendix: 'IV' is not a CITES Appendix (I, II, III)"),
    ("term", "XYZ", "items[1].term: 'XYZ' is not a CITES trade term code"),
    ("unit", "TON", "items[1].unit: 'TON' is not a CITES unit code"),
    ("quantity", -3, "items[1].quantity: -3 must be positive"),
    ("quantity", 0, "items[1].quantity: must be greater than zero"),
    ("quantity", "lots", "items[1].quantity: 'lots' is not a decimal quantity"),
    ("quantity", "1.5", "items[1].quantity: 1.5 NUM: counted whole, not in parts"),
    ("scientific_name", "", "items[1].scientific_name: must not be empty"),
    ("origin", {"country": "QQ", "number": "1", "date": "2025-01-01"}, "items[1].origin.country: 'QQ' is not an ISO"),
    ("origin", {"country": "ZW", "number": "1", "date": "01/02/2025"}, "items[1].origin.date: '01/02/2025' is not"),
    ("marks", [{"kind": "barcode", "id": "1"}], "items[1].marks[0].kind: 'barcode' is not a mark kind"),
    ("colour", "red", "items[1].colour: unknown field"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_LINES, ids=[f"{f}={v}" for f, v, _ in BAD_LINES])
def test_bad_line_fields_are_named(field: str, value: object, message: str) -> None:
    with pytest.raises(PermitValidationError) as raised:
        Permit.from_mapping(_line_change(field, value))
    assert any(problem.startswith(message) for problem in raised.value.problems), raised.value.problems


BAD_PERMITS: list[tuple[str, object, str]] = [
    ("type", "permit", "type: 'permit' is not a document type"),
    ("purpose", "X", "purpose: 'X' is not a CITES purpose code"),
    ("number", None, "number: is required"),
    ("issued", "2026-13-01", "issued: '2026-13-01' is not a date"),
    ("valid_until", "2000-01-01", "valid_until: 2000-01-01 is before the issue date"),
    ("importer", {"name": "A", "country": "ZZ"}, "importer.country: 'ZZ' is not an ISO 3166-1 alpha-2"),
    ("exporter", "Someone", "exporter: expected a mapping of fields, got text"),
    ("items", [], "items: expected a non-empty list of specimen lines, got an empty list"),
    ("items", "Pan troglodytes", "items: expected a non-empty list of specimen lines, got text"),
    ("security_stamp", "x" * 65, "security_stamp: is 65 characters long; the limit is 64"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_PERMITS, ids=[f for f, _, _ in BAD_PERMITS])
def test_bad_permit_fields_are_named(field: str, value: object, message: str) -> None:
    data = example_mapping("zoo-transfer-app1.yaml")
    data[field] = value
    with pytest.raises(PermitValidationError) as raised:
        Permit.from_mapping(data, today=dt.date(2026, 1, 10))
    assert any(problem.startswith(message) for problem in raised.value.problems), raised.value.problems


def test_every_problem_is_reported_at_once() -> None:
    data = _line_change("source", "K")
    data["purpose"] = "X"
    with pytest.raises(PermitValidationError) as raised:
        Permit.from_mapping(data)
    assert len(raised.value.problems) == 2
    assert "2 problems" in str(raised.value)


def test_quantities_keep_their_decimals() -> None:
    permit = example_permit("timber-export-app2.yaml")
    assert permit.items[0].quantity == Decimal("48.25")
    assert permit.to_mapping()["items"][1]["quantity"] == "120.5"
    assert Permit.from_mapping({**example_mapping("timber-export-app2.yaml")}).items[2].quantity == 3500
