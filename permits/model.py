"""The permit model: every box of the standard CITES form (Res. Conf. 12.3, Annex 2) as typed, frozen data.

A ``Permit`` is built in exactly one way, ``Permit.from_mapping``, which validates every field and reports every
problem at once with its path (``items[1].source: 'K' is not a CITES source code (...)``). Permit descriptions
written by a Management Authority (YAML/JSON, long field names) and permits decoded from a signed payload (CBOR,
short keys: see ``permits.payload``) both go through it, so the two can never disagree on what a valid permit is.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from permits import limits
from permits.codes import (
    APPENDICES,
    IDENTIFYING_MARK_KINDS,
    PURPOSE_CODES,
    SOURCE_CODES,
    TERM_CODES,
    UNIT_CODES,
    DocumentType,
    code_list,
)
from permits.errors import InputError, PermitValidationError

QUANTITY_PATTERN = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,6})?$")
MAX_EXPONENT = 100
"""The largest power of ten of a number in a description (``1.5e3``: 3): no quantity needs more, and one of
``1e999999999`` would be written out in full before the pattern refused it."""
COUNTED_UNIT = "NUM"
"""The unit of a count of specimens (the default)."""
COUNTED_UNITS = frozenset({COUNTED_UNIT, "PCS", "PRS", "SET", "BSK", "CRT", "SHP"})
"""Units that count things (specimens, pieces, pairs, sets, skins, cartons, shipments): whole numbers only."""


def is_possible_amount(quantity: Decimal, unit: str) -> bool:
    """False for a part of a counted thing: a quantity in one of ``COUNTED_UNITS`` that is not whole."""
    return unit not in COUNTED_UNITS or quantity == quantity.to_integral_value()


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f]")
"""Control characters a text field may not hold (tab and line feed are allowed)."""
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
"""The dates a permit can carry (docs/FORMAT.md section 5): no date arithmetic on them can overflow."""
SURROGATES = re.compile("[\ud800-\udfff]")
"""Unpaired surrogates: a Python text can hold them (JSON ``"\\ud800"``), UTF-8 and CBOR text cannot."""
NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What a name typed on the command line may not hold: control characters (line ends and tabs too), the Unicode
line and paragraph separators, and the bidirectional marks and overrides that reorder what a terminal shows."""


def one_line_name(value: str, label: str, limit: int = limits.MAX_NAME_CHARS) -> str:
    """``value`` stripped: 1 to ``limit`` characters of plain text on one line (``NOT_ON_ONE_LINE``), as a port,
    an officer, a post or a permit number typed on the command line must be; an ``InputError`` naming ``label``
    otherwise (the ledger, its exports and the terminal would show a forged line)."""
    name = value.strip()
    if not 0 < len(name) <= limit:
        raise InputError(f"{label}: must be 1 to {limit} characters")
    if (found := NOT_ON_ONE_LINE.search(name)) is not None:
        raise InputError(
            f"{label}: holds U+{ord(found.group()):04X}, a control, line break or bidirectional character; "
            "give one line of plain text"
        )
    return name


@dataclass(frozen=True)
class Trader:
    """Boxes 3/3a (importer), 4 (exporter or re-exporter) and 6 (Management Authority)."""

    name: str
    country: str
    address: str | None = None


@dataclass(frozen=True)
class Replacement:
    """Box 5 when the permit replaces another: the replaced document's number and why."""

    number: str
    reason: str


@dataclass(frozen=True)
class IdentifyingMark:
    """Box 9 identifying mark: microchip, ring, tag, ... with its number."""

    kind: str
    identifier: str


@dataclass(frozen=True)
class Quota:
    """Box 11a: quantity exported to date this year and the annual export quota."""

    exported_to_date: Decimal
    annual_quota: Decimal


@dataclass(frozen=True)
class DocumentReference:
    """Box 12 (origin permit) or 12a (last re-export certificate): country, document number, date."""

    country: str
    number: str
    date: dt.date


@dataclass(frozen=True)
class SpecimenLine:
    """Boxes 7-12b for one specimen line."""

    scientific_name: str
    term: str
    appendix: str
    source: str
    quantity: Decimal
    unit: str = "NUM"
    common_name: str | None = None
    description: str | None = None
    marks: tuple[IdentifyingMark, ...] = ()
    second_source: str | None = None
    source_justification: str | None = None
    quota: Quota | None = None
    origin: DocumentReference | None = None
    last_reexport: DocumentReference | None = None
    acquisition: str | None = None


@dataclass(frozen=True)
class Permit:
    """A whole permit or certificate: boxes 1-13 and 15 (Box 14 is written by customs after signing)."""

    document_type: DocumentType
    number: str
    issued: dt.date
    valid_until: dt.date
    importer: Trader
    exporter: Trader
    authority: Trader
    purpose: str
    items: tuple[SpecimenLine, ...]
    valid_from: dt.date | None = None
    security_stamp: str | None = None
    special_conditions: str | None = None
    replaces: Replacement | None = None
    import_permit: str | None = None
    issued_at: str | None = None
    issuing_officer: str | None = None
    bill_of_lading: str | None = None

    @property
    def issuing_party(self) -> str:
        """The Party whose Management Authority issued the permit (the CWT ``iss``)."""
        return self.authority.country

    @classmethod
    def from_mapping(
        cls, data: object, *, today: dt.date | None = None, fill_defaults: bool = True, source: str = "permit"
    ) -> Permit:
        """Validate a permit description (long field names) and build the permit.

        With ``fill_defaults`` the issue date defaults to ``today`` (the UTC day) and valid-until to the longest
        validity the document type allows; decoded payloads pass ``fill_defaults=False`` because a signed permit
        states both.
        Raises ``PermitValidationError`` listing every problem found.
        """
        reader = _FieldReader()
        permit = reader.permit(data, (today or dt.datetime.now(dt.UTC).date()) if fill_defaults else None)
        if reader.problems or permit is None:
            raise PermitValidationError(reader.problems or ["the permit is empty"], source=source)
        return permit

    def to_mapping(self) -> dict[str, Any]:
        """The permit as a plain JSON-ready mapping with the long field names ``from_mapping`` reads."""
        return _drop_empty(
            {
                "type": self.document_type.label,
                "number": self.number,
                "issued": self.issued.isoformat(),
                "valid_from": self.valid_from.isoformat() if self.valid_from else None,
                "valid_until": self.valid_until.isoformat(),
                "importer": _trader_mapping(self.importer),
                "exporter": _trader_mapping(self.exporter),
                "authority": _trader_mapping(self.authority),
                "purpose": self.purpose,
                "security_stamp": self.security_stamp,
                "special_conditions": self.special_conditions,
                "replaces": {"number": self.replaces.number, "reason": self.replaces.reason} if self.replaces else None,
                "import_permit": self.import_permit,
                "issued_at": self.issued_at,
                "issuing_officer": self.issuing_officer,
                "bill_of_lading": self.bill_of_lading,
                "items": [_line_mapping(line) for line in self.items],
            }
        )


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def format_quantity(quantity: Decimal) -> str:
    """A quantity as the plain decimal text the payload carries: no exponent, no trailing zeros."""
    text = format(quantity.normalize(), "f")
    return text


def _trader_mapping(trader: Trader) -> dict[str, Any]:
    return _drop_empty({"name": trader.name, "address": trader.address, "country": trader.country})


def _reference_mapping(reference: DocumentReference | None) -> dict[str, Any] | None:
    if reference is None:
        return None
    return {"country": reference.country, "number": reference.number, "date": reference.date.isoformat()}


def _line_mapping(line: SpecimenLine) -> dict[str, Any]:
    return _drop_empty(
        {
            "scientific_name": line.scientific_name,
            "common_name": line.common_name,
            "description": line.description,
            "marks": [{"kind": mark.kind, "id": mark.identifier} for mark in line.marks],
            "term": line.term,
            "appendix": line.appendix,
            "source": line.source,
            "second_source": line.second_source,
            "source_justification": line.source_justification,
            "quantity": format_quantity(line.quantity),
            "unit": line.unit,
            "quota": {
                "exported_to_date": format_quantity(line.quota.exported_to_date),
                "annual_quota": format_quantity(line.quota.annual_quota),
            }
            if line.quota
            else None,
            "origin": _reference_mapping(line.origin),
            "last_reexport": _reference_mapping(line.last_reexport),
            "acquisition": line.acquisition,
        }
    )


_EMPTY: tuple[object, ...] = (None, [], {})
"""The values ``to_mapping`` leaves out (never changed: built once, not for every field of every permit)."""


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value not in _EMPTY}


PERMIT_FIELDS = frozenset(
    {
        "type", "number", "issued", "valid_from", "valid_until", "importer", "exporter", "authority", "purpose",
        "security_stamp", "special_conditions", "replaces", "import_permit", "issued_at", "issuing_officer",
        "bill_of_lading", "items",
    }
)  # fmt: skip
TRADER_FIELDS = frozenset({"name", "address", "country"})
LINE_FIELDS = frozenset(
    {
        "scientific_name", "common_name", "description", "marks", "term", "appendix", "source", "second_source",
        "source_justification", "quantity", "unit", "quota", "origin", "last_reexport", "acquisition",
    }
)  # fmt: skip
REFERENCE_FIELDS = frozenset({"country", "number", "date"})
MARK_FIELDS = frozenset({"kind", "id"})
QUOTA_FIELDS = frozenset({"exported_to_date", "annual_quota"})
REPLACEMENT_FIELDS = frozenset({"number", "reason"})


class _FieldReader:
    """Reads a description field by field, collecting every problem with its path instead of stopping.

    Every permit verified goes through here, so the common case (a plain ``dict``, clean short text) is tested
    first and cheaply; anything unusual falls through to the full checks, which word the problem. Paths
    (``items[0].origin.country``) are only joined when a problem is reported.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path or 'the description as a whole'}: {message}")

    # -- structure -------------------------------------------------------------------------------------------

    def mapping(self, value: object, path: str, allowed: frozenset[str]) -> Mapping[str, Any] | None:
        """``value`` as a map of fields, reporting each key that is not one of ``allowed``; None if not a map."""
        if type(value) is dict:  # the common case, checked first: isinstance against the Mapping ABC is slow
            if allowed.issuperset(value):
                return value
        elif not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping of fields, got {_kind(value)}")
            return None
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                self.fail(_field_path(path, str(key)), f"unknown field (known: {', '.join(sorted(allowed))})")
        return value

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        limit: int = limits.MAX_TEXT_CHARS,
    ) -> str | None:
        """The stripped text at ``data[key]``, or None when it is absent or refused (and then reported)."""
        value = data.get(key)
        if type(value) is str:
            cleaned = value.strip()
            if 0 < len(cleaned) <= limit and cleaned.isprintable():  # printable: no control characters
                return cleaned
        elif value is None and not required:
            return None
        return self._checked_text(value, _field_path(path, key), required=required, limit=limit)

    def _checked_text(self, value: object, where: str, *, required: bool, limit: int) -> str | None:
        """``text`` for any value: every check in turn, reporting the first that fails."""
        if value is None:
            if required:
                self.fail(where, "is required")
            return None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and limit == limits.MAX_CODE_CHARS:
            value = str(value)
        if not isinstance(value, str):
            self.fail(where, f"expected text, got {_kind(value)}")
            return None
        cleaned = value.strip()
        if not cleaned:
            if required:
                self.fail(where, "must not be empty")
            return None
        if len(cleaned) > limit:
            self.fail(where, f"is {len(cleaned)} characters long; the limit is {limit}")
            return None
        if CONTROL_CHARACTERS.search(cleaned):
            self.fail(where, "contains control characters")
            return None
        if SURROGATES.search(cleaned):
            self.fail(where, "is not valid Unicode text (an unpaired surrogate)")
            return None
        return cleaned

    def code(
        self, data: Mapping[str, Any], key: str, path: str, codes: Mapping[str, str] | tuple[str, ...], what: str,
        *, required: bool = True,
    ) -> str | None:  # fmt: skip
        value = self.text(data, key, path, required=required, limit=limits.MAX_CODE_CHARS)
        if value is None:
            return None
        normalized = value.upper()
        if normalized not in codes:
            self.fail(_field_path(path, key), f"'{value}' is not a {what} ({code_list(codes)})")
            return None
        return normalized

    def country(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = self.text(data, key, path, required=required, limit=limits.MAX_CODE_CHARS)
        if value is None:
            return None
        code = value.upper()
        if not is_iso_country(code):
            self.fail(_field_path(path, key), f"'{value}' is not an ISO 3166-1 alpha-2 country code")
            return None
        return code

    def date(self, data: Mapping[str, Any], key: str, path: str, *, required: bool) -> dt.date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(_field_path(path, key), "is required")
            return None
        day: dt.date | None = None
        if isinstance(value, str):
            try:
                if len(value) == 10:
                    day = dt.date.fromisoformat(value)
            except ValueError:
                pass
        elif isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        if day is None:
            self.fail(_field_path(path, key), f"'{value}' is not a date in the form YYYY-MM-DD")
        elif not EARLIEST_DATE <= day <= LATEST_DATE:
            self.fail(_field_path(path, key), f"{day} is not between {EARLIEST_DATE} and {LATEST_DATE}")
            day = None
        return day

    def quantity(self, data: Mapping[str, Any], key: str, path: str, *, allow_zero: bool = False) -> Decimal | None:
        """The decimal quantity at ``data[key]``, or None when it is missing or refused (and then reported)."""
        value = data.get(key)
        if type(value) is str and QUANTITY_PATTERN.fullmatch(value):  # plain digits, as a payload carries them
            quantity = Decimal(value)
            if quantity or allow_zero:
                return quantity
        return self._checked_quantity(value, _field_path(path, key), allow_zero=allow_zero)

    def _checked_quantity(self, value: object, where: str, *, allow_zero: bool) -> Decimal | None:
        """``quantity`` for any value: every check in turn, reporting the first that fails."""
        if value is None:
            self.fail(where, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.fail(where, f"expected a number, got {_kind(value)}")
            return None
        if isinstance(value, float):  # its shortest exact form: format(value, "f") would round to 6 decimals
            value = Decimal(repr(value))
        if isinstance(value, Decimal) and (not value.is_finite() or abs(value.adjusted()) > MAX_EXPONENT):
            self.fail(where, f"'{value}' is not a decimal quantity (up to 12 digits and 6 decimals)")
            return None  # 1e999999999 written out in full would take a gigabyte
        text = format(value, "f") if isinstance(value, Decimal) else str(value).strip()
        if text.startswith("-"):
            self.fail(where, f"{value} must be positive")
            return None
        if isinstance(value, Decimal) and "." in text:  # a number, not text: 48.2500000 is 48.25
            text = text.rstrip("0").rstrip(".")
        if not QUANTITY_PATTERN.match(text):
            self.fail(where, f"'{value}' is not a decimal quantity (up to 12 digits and 6 decimals)")
            return None
        try:
            quantity = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            self.fail(where, f"'{value}' is not a number")
            return None
        if quantity == 0 and not allow_zero:
            self.fail(where, "must be greater than zero")
            return None
        return quantity

    # -- boxes -----------------------------------------------------------------------------------------------

    def trader(self, data: Mapping[str, Any], key: str) -> Trader | None:
        raw = data.get(key)
        if raw is None:
            self.fail(key, "is required")
            return None
        if type(raw) is dict:
            try:
                known = _clean_trader(tuple(raw.items()))
            except TypeError:  # a list or map among the values: read below, which says why it is wrong
                known = None
            if known is not None:
                return known
        return self.trader_fields(raw, key)

    def trader_fields(self, raw: object, key: str) -> Trader | None:
        mapping = self.mapping(raw, key, TRADER_FIELDS)
        if mapping is None:
            return None
        name = self.text(mapping, "name", key, required=True)
        address = self.text(mapping, "address", key, required=False)
        country = self.country(mapping, "country", key)
        if name is None or country is None:
            return None
        return Trader(name=name, country=country, address=address)

    def reference(self, data: Mapping[str, Any], key: str, path: str) -> DocumentReference | None:
        raw = data.get(key)
        if raw is None:
            return None
        where = f"{path}.{key}"
        mapping = self.mapping(raw, where, REFERENCE_FIELDS)
        if mapping is None:
            return None
        country = self.country(mapping, "country", where)
        number = self.text(mapping, "number", where, required=True, limit=limits.MAX_CODE_CHARS)
        date = self.date(mapping, "date", where, required=True)
        if country is None or number is None or date is None:
            return None
        return DocumentReference(country=country, number=number, date=date)

    def marks(self, data: Mapping[str, Any], path: str) -> tuple[IdentifyingMark, ...]:
        raw = data.get("marks")
        if raw is None:
            return ()
        where = f"{path}.marks"
        if not isinstance(raw, list):
            self.fail(where, f"expected a list, got {_kind(raw)}")
            return ()
        if len(raw) > limits.MAX_MARKS_PER_LINE:
            self.fail(where, f"has {len(raw)} marks; the limit is {limits.MAX_MARKS_PER_LINE}")
            return ()
        marks: list[IdentifyingMark] = []
        for index, item in enumerate(raw):
            mark_path = f"{where}[{index}]"
            mapping = self.mapping(item, mark_path, MARK_FIELDS)
            if mapping is None:
                continue
            kind = self.text(mapping, "kind", mark_path, required=True, limit=limits.MAX_CODE_CHARS)
            identifier = self.text(mapping, "id", mark_path, required=True, limit=limits.MAX_CODE_CHARS)
            if kind is not None and kind.lower() not in IDENTIFYING_MARK_KINDS:
                self.fail(f"{mark_path}.kind", f"'{kind}' is not a mark kind ({', '.join(IDENTIFYING_MARK_KINDS)})")
                continue
            if kind is not None and identifier is not None:
                marks.append(IdentifyingMark(kind=kind.lower(), identifier=identifier))
        return tuple(marks)

    def quota(self, data: Mapping[str, Any], path: str) -> Quota | None:
        raw = data.get("quota")
        if raw is None:
            return None
        where = f"{path}.quota"
        mapping = self.mapping(raw, where, QUOTA_FIELDS)
        if mapping is None:
            return None
        exported = self.quantity(mapping, "exported_to_date", where, allow_zero=True)
        annual = self.quantity(mapping, "annual_quota", where, allow_zero=True)
        if exported is None or annual is None:
            return None
        return Quota(exported_to_date=exported, annual_quota=annual)

    def line(self, raw: object, path: str) -> SpecimenLine | None:
        data = self.mapping(raw, path, LINE_FIELDS)
        if data is None:
            return None
        problems_before = len(self.problems)
        scientific_name = self.text(data, "scientific_name", path, required=True)
        term = self.code(data, "term", path, TERM_CODES, "CITES trade term code")
        appendix = self.code(data, "appendix", path, APPENDICES, "CITES Appendix")
        source = self.code(data, "source", path, SOURCE_CODES, "CITES source code")
        second_source = self.code(data, "second_source", path, SOURCE_CODES, "CITES source code", required=False)
        quantity = self.quantity(data, "quantity", path)
        problems_before_unit = len(self.problems)
        given_unit = self.code(data, "unit", path, UNIT_CODES, "CITES unit code", required=False)
        unit = given_unit or COUNTED_UNIT
        unit_refused = len(self.problems) > problems_before_unit  # judging the quantity as NUM: a second error
        if quantity is not None and not unit_refused and not is_possible_amount(quantity, unit):
            omitted = "" if given_unit else " (no unit given: a number of specimens)"
            where = _field_path(path, "quantity")
            self.fail(where, f"{format_quantity(quantity)} {unit}{omitted}: counted whole, not in parts")
        line = SpecimenLine(
            scientific_name=scientific_name or "",
            term=term or "",
            appendix=appendix or "",
            source=source or "",
            quantity=quantity or Decimal(0),
            unit=unit,
            common_name=self.text(data, "common_name", path, required=False),
            description=self.text(data, "description", path, required=False),
            marks=self.marks(data, path),
            second_source=second_source,
            source_justification=self.text(data, "source_justification", path, required=False),
            quota=self.quota(data, path),
            origin=self.reference(data, "origin", path),
            last_reexport=self.reference(data, "last_reexport", path),
            acquisition=self.text(data, "acquisition", path, required=False, limit=limits.MAX_CODE_CHARS),
        )
        return line if len(self.problems) == problems_before else None

    def items(self, data: Mapping[str, Any]) -> tuple[SpecimenLine, ...]:
        raw = data.get("items")
        if raw is None:
            self.fail("items", "is required (at least one specimen line)")
            return ()
        if not isinstance(raw, list) or not raw:
            got = "an empty list" if raw == [] else _kind(raw)
            self.fail("items", f"expected a non-empty list of specimen lines, got {got}")
            return ()
        if len(raw) > limits.MAX_SPECIMEN_LINES:
            self.fail("items", f"has {len(raw)} specimen lines; the limit is {limits.MAX_SPECIMEN_LINES}")
            return ()
        lines = [self.line(item, f"items[{index}]") for index, item in enumerate(raw)]
        return tuple([line for line in lines if line is not None])

    def document_type(self, data: Mapping[str, Any]) -> DocumentType | None:
        value = self.text(data, "type", "", required=True, limit=limits.MAX_CODE_CHARS)
        if value is None:
            return None
        document_type = _parse_document_type(value)
        if document_type is None:
            self.fail("type", f"'{value}' is not a document type (export, re-export, import, other)")
        return document_type

    def replaces(self, data: Mapping[str, Any]) -> Replacement | None:
        raw = data.get("replaces")
        if raw is None:
            return None
        mapping = self.mapping(raw, "replaces", REPLACEMENT_FIELDS)
        if mapping is None:
            return None
        number = self.text(mapping, "number", "replaces", required=True, limit=limits.MAX_CODE_CHARS)
        reason = self.text(mapping, "reason", "replaces", required=True)
        return Replacement(number=number, reason=reason) if number and reason else None

    def permit(self, raw: object, default_issued: dt.date | None) -> Permit | None:
        """The whole permit; with a ``default_issued`` date the issue and valid-until dates may be left out."""
        fill_defaults = default_issued is not None
        data = self.mapping(raw, "", PERMIT_FIELDS)
        if data is None:
            return None
        document_type = self.document_type(data)
        number = self.text(data, "number", "", required=True, limit=limits.MAX_CODE_CHARS)
        issued = self.date(data, "issued", "", required=not fill_defaults) or default_issued
        valid_from = self.date(data, "valid_from", "", required=False)
        valid_until = self.date(data, "valid_until", "", required=not fill_defaults)
        if valid_until is None and fill_defaults and issued is not None and document_type is not None:
            valid_until = add_months(issued, document_type.max_validity_months)
        if issued and valid_until and valid_until < issued:
            self.fail("valid_until", f"{valid_until} is before the issue date {issued}")
        if issued and valid_from and valid_from < issued:  # else --at could find it valid before it existed
            self.fail("valid_from", f"{valid_from} is before the issue date {issued}")
        if valid_from and valid_until and valid_until < valid_from:
            self.fail("valid_until", f"{valid_until} is before valid_from {valid_from}")
        importer = self.trader(data, "importer")
        exporter = self.trader(data, "exporter")
        authority = self.trader(data, "authority")
        purpose = self.code(data, "purpose", "", PURPOSE_CODES, "CITES purpose code")
        security_stamp = self.text(data, "security_stamp", "", required=False, limit=limits.MAX_CODE_CHARS)
        import_permit = self.text(data, "import_permit", "", required=False, limit=limits.MAX_CODE_CHARS)
        bill_of_lading = self.text(data, "bill_of_lading", "", required=False, limit=limits.MAX_CODE_CHARS)
        special_conditions = self.text(data, "special_conditions", "", required=False)
        issued_at = self.text(data, "issued_at", "", required=False)
        issuing_officer = self.text(data, "issuing_officer", "", required=False)
        replaces = self.replaces(data)
        items = self.items(data)
        if self.problems:
            return None
        assert document_type and number and issued and valid_until and importer and exporter and authority
        assert purpose
        return Permit(
            document_type=document_type,
            number=number,
            issued=issued,
            valid_until=valid_until,
            valid_from=valid_from,
            importer=importer,
            exporter=exporter,
            authority=authority,
            purpose=purpose,
            items=items,
            replaces=replaces,
            security_stamp=security_stamp,
            import_permit=import_permit,
            bill_of_lading=bill_of_lading,
            special_conditions=special_conditions,
            issued_at=issued_at,
            issuing_officer=issuing_officer,
        )


@functools.lru_cache(maxsize=256)
def _clean_trader(fields: tuple[tuple[Any, Any], ...]) -> Trader | None:
    """The trader that these fields describe when they read without a problem, else None (the caller then reads
    them itself, to report each problem where it is). Remembered, as a trader is immutable: a batch of permits
    names the same few authorities, exporters and importers over and over, three in every permit."""
    reader = _FieldReader()
    trader = reader.trader_fields(dict(fields), "")
    return None if reader.problems else trader


@functools.lru_cache(maxsize=1024)
def is_iso_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code (pycountry's list, which includes territories), in ASCII capitals.

    pycountry looks codes up case-insensitively, so 'ke' or a Kelvin sign for the K would pass as Kenya's code
    without the ASCII check."""
    import pycountry

    return (
        len(code) == 2
        and code.isascii()
        and code.isalpha()
        and code.isupper()
        and pycountry.countries.get(alpha_2=code) is not None
    )


@functools.lru_cache(maxsize=64)
def _parse_document_type(text: str) -> DocumentType | None:
    """``DocumentType.parse``, or None for text that names no document type; remembered, as every permit
    spells its type one of a handful of ways."""
    try:
        return DocumentType.parse(text)
    except ValueError:
        return None


def _field_path(path: str, key: str) -> str:
    """The path of field ``key`` of the map at ``path`` (the top-level map's path is empty)."""
    return f"{path}.{key}" if path else key


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        Decimal: "a number",
    }
    for python_type, name in names.items():
        if isinstance(value, python_type):
            return name
    return type(value).__name__
