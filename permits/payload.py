"""The permit's CBOR form inside the signed envelope: short keys, text values, and the CWT claims around it.

``docs/FORMAT.md`` section "The permit map" is the public description of this module. Keys are short text
strings chosen for size; every value is a text string, except ``v`` (an unsigned integer), the lists ``it``
and ``mk``, and the nested maps. Decoding renames the short keys back to the model's long field names and
validates through ``Permit.from_mapping``, so a payload is held to the same rules as a description, and first
to the rules of the signed form that a description need not follow (``LEAF_FORMS``): codes in their letter
case, quantities as their one decimal text, no empty value or list (an optional key is omitted). One signed
value then has one encoding, as the format promises.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from permits.errors import PermitValidationError
from permits.model import Permit

SCHEMA_VERSION = 1

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_NBF = 5
CLAIM_IAT = 6
CLAIM_PERMIT = -65537
"""Private-use CWT claim key (RFC 8392: integers below -65536) holding the permit map."""
LATEST_NUMERIC_DATE = 32_503_680_000
"""3000-01-01T00:00:00Z: the ``exp`` of a permit valid until the latest date a permit can carry; the time claims
are NumericDates from 0 to this (docs/FORMAT.md section 4.4)."""


CANONICAL_QUANTITY = re.compile(r"(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{0,5}[1-9])?")
"""A quantity as the payload writes it: no leading zero before a digit, no trailing zero after the point."""


def _upper_case(value: str) -> str | None:
    return None if value == value.upper() else f"the code {value.strip()!r} is written in upper case in the payload"


def _lower_case(value: str) -> str | None:
    return None if value == value.lower() else f"the mark kind {value.strip()!r} is written in lower case"


def _decimal_text(value: str) -> str | None:
    if CANONICAL_QUANTITY.fullmatch(value.strip()):
        return None
    return f"{value.strip()!r} is not a quantity as the payload writes it (digits, no leading or trailing zero)"


EMPTY = "empty (the payload omits a key rather than leave it empty)"
LEAF_FORMS = {
    **dict.fromkeys(("type", "purpose", "term", "appendix", "source", "second_source", "unit", "country"), _upper_case),
    "kind": _lower_case,
    **dict.fromkeys(("quantity", "exported_to_date", "annual_quota"), _decimal_text),
}
"""The signed form of the text fields that have one (docs/FORMAT.md section 5), by long field name: a problem, or
None when the value is so written. Text may still have white space around it, which verifiers ignore."""


@dataclass(frozen=True)
class KeyTable:
    """Long field name -> short payload key for one map, and which fields hold nested maps or lists of maps."""

    keys: Mapping[str, str]
    nested: Mapping[str, KeyTable]

    @functools.cached_property
    def names(self) -> dict[str, str]:
        """Short payload key -> long field name: ``keys`` reversed, built once per table."""
        return {short: name for name, short in self.keys.items()}

    def shorten(self, mapping: Mapping[str, Any]) -> dict[str, Any]:
        return {self.keys[name]: self._convert(name, value, KeyTable.shorten) for name, value in mapping.items()}

    def lengthen(self, mapping: Mapping[Any, Any], path: str, problems: list[str]) -> dict[str, Any]:
        """``mapping`` with its short keys renamed to the long field names, nested maps included; an unknown
        key, or a field value that is not text, is left out and reported in ``problems`` (prefixed with
        ``path``), in the order of the keys; so is a value not in its signed form (``LEAF_FORMS``), and an empty
        one (an optional key is omitted when empty)."""
        names, nested = self.names, self.nested
        result: dict[str, Any] = {}
        for short, value in mapping.items():
            try:
                name = names[short]  # a key of another type (bytes, int, ...) never equals a text key
            except KeyError:
                problems.append(f"{path}{short!r}: unknown payload key")
                continue
            table = nested.get(name)
            if table is None:
                if type(value) is not str:  # every leaf is text: no number, float or null for a quantity or number
                    problems.append(f"{path}{name}: expected text in the payload, got {type(value).__name__}")
                    continue
                form = LEAF_FORMS.get(name)
                problem = EMPTY if not value or value.isspace() else form(value) if form else None
                if problem:
                    problems.append(f"{path}{name}: {problem}")
                    continue
                result[name] = value
            elif not value and isinstance(value, (list, tuple, dict)):
                problems.append(f"{path}{name}: {EMPTY}")
            elif isinstance(value, (list, tuple)):  # a tuple of types: ``list | tuple`` is built anew on every call
                result[name] = [
                    table.lengthen(item, f"{path}{name}[{index}].", problems)
                    if type(item) is dict or isinstance(item, Mapping)
                    else item
                    for index, item in enumerate(value)
                ]
            elif type(value) is dict or isinstance(value, Mapping):
                result[name] = table.lengthen(value, f"{path}{name}.", problems)
            else:
                result[name] = value
        return result

    def _convert(self, name: str, value: Any, direction: Any) -> Any:
        table = self.nested.get(name)
        if table is None:
            return value
        if isinstance(value, list):
            return [direction(table, item) for item in value]
        return direction(table, value)


_TRADER = KeyTable({"name": "nm", "address": "ad", "country": "c"}, {})
_REFERENCE = KeyTable({"country": "c", "number": "n", "date": "d"}, {})
_LINE = KeyTable(
    {
        "scientific_name": "sn", "common_name": "cn", "description": "d", "marks": "mk", "term": "tc",
        "appendix": "a", "source": "s", "second_source": "s2", "source_justification": "sj", "quantity": "q",
        "unit": "u", "quota": "qt", "origin": "o", "last_reexport": "lr", "acquisition": "ac",
    },
    {
        "marks": KeyTable({"kind": "k", "id": "id"}, {}),
        "quota": KeyTable({"exported_to_date": "e", "annual_quota": "q"}, {}),
        "origin": _REFERENCE,
        "last_reexport": _REFERENCE,
    },
)  # fmt: skip
PERMIT_TABLE = KeyTable(
    {
        "type": "t", "number": "n", "issued": "di", "valid_from": "vf", "valid_until": "vu", "importer": "im",
        "exporter": "ex", "authority": "ma", "purpose": "p", "security_stamp": "ss", "special_conditions": "sc",
        "replaces": "rp", "import_permit": "ip", "issued_at": "pl", "issuing_officer": "of",
        "bill_of_lading": "bl", "items": "it",
    },
    {
        "importer": _TRADER,
        "exporter": _TRADER,
        "authority": _TRADER,
        "replaces": KeyTable({"number": "n", "reason": "r"}, {}),
        "items": _LINE,
    },
)  # fmt: skip


def permit_to_map(permit: Permit) -> dict[str, Any]:
    """The permit map (short keys) that goes under claim -65537."""
    mapping = permit.to_mapping()
    mapping["type"] = permit.document_type.value
    return {"v": SCHEMA_VERSION, **PERMIT_TABLE.shorten(mapping)}


def permit_from_map(data: object) -> Permit:
    """Validate a decoded permit map and build the permit; raises ``PermitValidationError``."""
    if type(data) is not dict and not isinstance(data, Mapping):
        raise PermitValidationError(["the permit claim must be a map"], source="payload")
    version = data.get("v")
    if type(version) is not int or version != SCHEMA_VERSION:
        raise PermitValidationError([f"v: schema version {version!r} is not supported (expected 1)"], source="payload")
    problems: list[str] = []
    permit_map = dict(data)
    del permit_map["v"]
    long_form = PERMIT_TABLE.lengthen(permit_map, "", problems)
    if problems:
        raise PermitValidationError(problems, source="payload")
    return Permit.from_mapping(long_form, fill_defaults=False, source="payload")


SECONDS_PER_DAY = 86_400
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()


def end_of_day_timestamp(day: dt.date) -> int:
    """Seconds since the epoch at the end of ``day`` (00:00 UTC of the next day): the CWT ``exp``."""
    return start_of_day_timestamp(day + dt.timedelta(days=1))


def start_of_day_timestamp(day: dt.date) -> int:
    """Seconds since the epoch at 00:00 UTC of ``day`` (UTC has no leap seconds in POSIX time: whole days; day
    numbers, not a datetime, as every verification computes one or two of these)."""
    return (day.toordinal() - _EPOCH_DAY) * SECONDS_PER_DAY


def claims_for(permit: Permit, now: dt.datetime) -> dict[int, Any]:
    """The CWT claims for a permit: ``iss``, ``iat`` (signing time, or the issue date if back-dated), ``exp``."""
    iat = int(now.timestamp()) if permit.issued >= now.date() else start_of_day_timestamp(permit.issued)
    claims: dict[int, Any] = {
        CLAIM_ISS: permit.issuing_party,
        CLAIM_IAT: iat,
        CLAIM_EXP: end_of_day_timestamp(permit.valid_until),
        CLAIM_PERMIT: permit_to_map(permit),
    }
    if permit.valid_from is not None:
        claims[CLAIM_NBF] = start_of_day_timestamp(permit.valid_from)
    return claims


def encode_claims(claims: Mapping[int, Any]) -> bytes:
    """Deterministic CBOR (RFC 8949 section 4.2.1) of the claims map: the COSE payload."""
    return cbor2.dumps(dict(claims), canonical=True)
