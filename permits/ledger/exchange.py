"""Signed ledger exports: how an offline post's records travel to another post or the central database.

An export is a signed JSON document (the same canonical-JSON signing as trust lists, ``keys/signed.py``) of
type ``cites-ledger-export``, signed by the post's own key, which it also carries. The importer pins that key
(``--from-key``): a changed byte, another key, an unknown format or a broken stretch of the post's audit trail
refuses the whole file (``LedgerError``, exit code 2) before anything is merged. docs/FORMAT.md section 11.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from keys.keyfile import PublicKeyInfo, SigningKey
from keys.signed import (
    DocumentRejected,
    Header,
    KeyRecord,
    Reader,
    encode_public_key,
    load_document,
    require_threshold,
    today_utc,
    unsigned,
)
from permits.errors import LedgerError
from permits.ledger.interface import Event, Export, Issued, Records, Use, walk_chain

EXPORT_TYPE = "cites-ledger-export"
EXPORT_FIELDS = ("post", "signer", "since", "uses", "registered", "events")
EXPORT_DAYS = 365
USE_FIELDS = ("party", "number", "port", "officer", "endorsed_at", "post", "quantities")
ISSUED_FIELDS = ("party", "number", "security_stamp", "issued_on", "kid", "payload_hash")
EVENT_FIELDS = ("seq", "prev_hash", "entry_hash", "actor", "at", "action", "document", "details")

T = TypeVar("T")


def write_export(path: Path, post: str, key: SigningKey, since: dt.date, records: Records) -> None:
    """Sign the records with the post's key and write them."""
    today = today_utc()
    header = Header(EXPORT_TYPE, 1, today, today + dt.timedelta(days=EXPORT_DAYS))
    signed = {
        **header.to_json(),
        "post": post,
        "signer": {"alg": key.algorithm.value, "public_key": encode_public_key(key.private_key.public_key())},
        "since": since.isoformat(),
        "uses": [use.to_json() for use in records.uses],
        "registered": [record.to_json() for record in records.issued],
        "events": [event.to_json() for event in records.events],
    }
    unsigned(signed, str(path)).add_signature(key).write(path)


def read_export(path: Path, pinned: PublicKeyInfo) -> Export:
    """Verify an export against the pinned post key and return its records."""
    document = load_document(path, {EXPORT_TYPE: "ledger export"})
    reader = Reader(str(path))
    document.header(reader, EXPORT_FIELDS)
    signed = document.signed
    signer = reader.public_key(reader.record(signed["signer"], "signed.signer", ("alg", "public_key")), "signed.signer")
    expected = KeyRecord.of(pinned.public_key, pinned.algorithm)
    if signer.keyid != expected.keyid:
        raise LedgerError(f"{path}: signed by key {signer.keyid[:16]}, not the pinned post key {expected.keyid[:16]}")
    try:
        require_threshold(document, {expected.keyid: expected}, 1, "the pinned post key")
    except DocumentRejected as rejected:
        raise LedgerError(str(rejected)) from None
    records = Records(
        uses=_entries(reader, signed, "uses", USE_FIELDS, Use.from_export),
        issued=_entries(reader, signed, "registered", ISSUED_FIELDS, Issued.from_json),
        events=_entries(reader, signed, "events", EVENT_FIELDS, Event.from_json),
    )
    trail = walk_chain(records.events, complete=False)
    if trail.problem:
        raise LedgerError(f"{path}: the post's audit trail in the export is broken: {trail.problem}")
    reader.date(signed, "since", "signed")
    return Export(reader.text(signed, "post", "signed"), expected.keyid, path.name, records)


def _entries(
    reader: Reader, signed: dict[str, Any], name: str, fields: tuple[str, ...], parse: Callable[[dict[str, Any]], T]
) -> list[T]:
    """Each record of the array ``signed[name]``, with exactly ``fields``; a bad one is named in the error."""
    parsed = []
    for index, raw in enumerate(reader.array(signed[name], f"signed.{name}")):
        where = f"signed.{name}[{index}]"
        record = reader.record(raw, where, fields)
        try:
            parsed.append(parse(record))
        except ValueError as error:
            raise reader.fail(where, str(error)) from None
    return parsed
