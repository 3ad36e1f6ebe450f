"""Permits for the audit tests: zoo transfers with chosen number, stamp and microchip; a Zimbabwean crocodile
export and Italian re-export certificates citing it; and the two ways of faking a QR text."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import cbor2

from permits.envelope import PREFIX, base45, decode_base45, inflate, strip_prefix
from permits.envelope.cose import COSE_SIGN1_TAG
from permits.model import Permit
from permits.payload import claims_for, encode_claims
from tests.conftest import example_mapping


def zoo(number: str, stamp: str, chip: str, **changes: Any) -> Permit:
    """The Appendix I zoo transfer (KE) with one microchipped animal."""
    data = example_mapping("zoo-transfer-app1.yaml")
    line = {**data["items"][0], "quantity": 1, "marks": [{"kind": "microchip", "id": chip}]}  # type: ignore[index]
    data.update(number=number, security_stamp=stamp, items=[line], **changes)
    return Permit.from_mapping(data)


def _crocodile_line(**changes: Any) -> dict[str, Any]:
    line = dict(example_mapping("reexport-certificate.yaml")["items"][0])  # type: ignore[index]
    line.pop("last_reexport")
    return {**line, **changes}


def crocodile_export(number: str, quantity: int, **changes: Any) -> Permit:
    """A Zimbabwean export permit of crocodile skin products (the origin of the re-exports)."""
    data = example_mapping("reexport-certificate.yaml")
    data.update(
        type="export",
        number=number,
        security_stamp=f"ZW-{number[-5:]}",
        exporter={"name": "Croc Farm", "country": "ZW"},
        authority={"name": "ZimParks", "country": "ZW"},
        importer={"name": "Pelletterie Toscane", "country": "IT"},
        items=[_crocodile_line(origin=None, quantity=quantity)],
        **changes,
    )
    return Permit.from_mapping(data)


def crocodile_reexport(
    number: str, quantity: int, origin: str, last: tuple[str, str] | None = None, **changes: Any
) -> Permit:
    """An Italian re-export certificate citing Zimbabwean origin permit ``origin`` (Box 12), and ``last`` (Box
    12a: country and number) when given."""
    data = example_mapping("reexport-certificate.yaml")
    line = _crocodile_line(origin={"country": "ZW", "number": origin, "date": "2026-01-14"}, quantity=quantity)
    if last is not None:
        line["last_reexport"] = {"country": last[0], "number": last[1], "date": "2026-02-01"}
    data.update(number=number, security_stamp=f"IT-{number}", items=[line], **changes)
    return Permit.from_mapping(data)


def with_line(permit: Permit, **changes: Any) -> Permit:
    """``permit`` with its first specimen line changed."""
    mapping = permit.to_mapping()
    mapping["items"] = [{**mapping["items"][0], **changes}]
    return Permit.from_mapping(mapping)


def with_changed_character(text: str) -> str:
    """A QR text with one Base45 character changed (a damaged or clumsily edited code)."""
    position = len(text) // 2
    return text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1 :]


def altered(text: str, permit: Permit) -> str:
    """The QR text re-packed with ``permit``'s content under the original signature (an edited permit)."""
    tag = cbor2.loads(inflate(decode_base45(strip_prefix(text))))
    protected, unprotected, _, signature = tag.value
    payload = encode_claims(claims_for(permit, dt.datetime.now(dt.UTC)))
    message = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, unprotected, payload, signature]))
    return PREFIX + base45.encode(zlib.compress(message, 9))
